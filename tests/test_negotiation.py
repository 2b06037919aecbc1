"""An Accept header that no renderer satisfies gets JSON, never a 406 (the contract has none;
veza/api/negotiation.py)."""

import pytest

from tests.conftest import bearer_client


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["*<", "image/png", "text/csv;q=1"])
def test_an_accept_header_nothing_satisfies_gets_json_not_406(user, accept):
    response = bearer_client(user).get("/api/v1/users/me", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["email"] == user.email


@pytest.mark.django_db
def test_a_browser_still_gets_the_browsable_api_and_an_unknown_format_is_404(user):
    client = bearer_client(user)

    assert client.get("/api/v1/users/me", HTTP_ACCEPT="text/html")["Content-Type"].startswith(
        "text/html"
    )
    assert client.get("/api/v1/users/me?format=xml").status_code == 404
