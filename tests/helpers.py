"""Assertions shared by every test folder (plain functions: import them where they are used)."""

_UNSET = object()


def assert_error(response, status: int, code: str, *, details=_UNSET) -> dict:
    """Assert ``response`` is an error in the contract's envelope and return its ``error``.

    The envelope is ``{"error": {"code", "message", "details"}}`` with exactly those keys
    (shared/API.md "Conventions"): ``code`` is the expected one, ``message`` a non-empty string
    for people, ``details`` an object (compared exactly when ``details`` is given). Works with
    Django test responses and ``requests`` responses alike.
    """
    assert response.status_code == status, (response.status_code, response.content[:2000])
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str), error
    assert error["message"].strip(), error
    assert isinstance(error["details"], dict), error
    if details is not _UNSET:
        assert error["details"] == details, error
    return error
