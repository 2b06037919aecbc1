"""``assert_error`` accepts exactly the contract's error envelope (shared/API.md "Conventions")."""

import pytest

from tests.helpers import assert_error


class Answer:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self._body = body
        self.content = repr(body).encode()

    def json(self):
        return self._body


def envelope(**error):
    return {"error": {"code": "NOT_FOUND", "message": "Not found.", "details": {}, **error}}


def test_the_contract_envelope_passes_and_its_error_is_returned():
    error = assert_error(Answer(404, envelope()), 404, "NOT_FOUND", details={})

    assert error == {"code": "NOT_FOUND", "message": "Not found.", "details": {}}


@pytest.mark.parametrize(
    ("status", "body", "details"),
    [
        (400, envelope(), None),  # another status
        (404, envelope(code="CONFLICT"), None),  # another code
        (404, envelope(message=""), None),  # an empty message
        (404, envelope(message=None), None),
        (404, envelope(details=[]), None),  # details not an object
        (404, envelope(extra=1), None),  # a key the contract does not have
        (404, {**envelope(), "detail": "x"}, None),  # something beside "error"
        (404, {"detail": "Not found."}, None),  # DRF's own shape
        (404, envelope(details={"id": ["x"]}), {}),  # details differ from the expected ones
    ],
)
def test_anything_else_fails(status, body, details):
    kwargs = {} if details is None else {"details": details}

    with pytest.raises(AssertionError):
        assert_error(Answer(status, body), 404, "NOT_FOUND", **kwargs)
