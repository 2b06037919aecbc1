"""A wrong Authorization scheme or a malformed bearer token is a 401 that says what is expected
(shared/API.md, Conventions: "Authorization: Bearer <access JWT>" or "X-API-Key")."""

import pytest

from tests.accounts.factories import PASSWORD
from tests.helpers import assert_error

ME = "/api/v1/users/me"
TRACKS = "/api/v1/tracks"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Token abc123", "JWT a.b.c", "apikey x"])
@pytest.mark.parametrize("path", [ME, TRACKS])
def test_a_wrong_scheme_is_refused_with_the_expected_form(api_client, header, path):
    response = api_client.get(path, HTTP_AUTHORIZATION=header)

    error = assert_error(response, 401, "AUTHENTICATION_REQUIRED")
    assert "Authorization: Bearer <access token>" in error["message"]
    assert "X-API-Key" in error["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer not-a-jwt", "Bearer a.b.c", "bearer x.y.z"]
)
def test_a_malformed_bearer_token_is_refused_with_the_expected_form(api_client, header):
    response = api_client.get(ME, HTTP_AUTHORIZATION=header)

    error = assert_error(response, 401, "INVALID_TOKEN")
    assert "Bearer <access token>" in error["message"]


@pytest.mark.django_db
def test_a_refresh_token_used_as_bearer_says_how_to_get_an_access_token(api_client, user):
    login = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    refresh = login.json()["refresh"]

    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {refresh}")

    error = assert_error(response, 401, "INVALID_TOKEN")
    assert "/api/v1/auth/token/refresh" in error["message"]


@pytest.mark.django_db
def test_a_valid_bearer_token_still_works_with_any_case_scheme(api_client, user):
    login = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    access = login.json()["access"]

    response = api_client.get(ME, HTTP_AUTHORIZATION=f"bearer {access}")

    assert response.status_code == 200
    assert response.json()["email"] == user.email


@pytest.mark.django_db
def test_an_empty_authorization_header_counts_as_none(api_client):
    response = api_client.get(TRACKS, HTTP_AUTHORIZATION="")

    assert response.status_code == 200


@pytest.mark.django_db
def test_login_ignores_a_stale_authorization_header(api_client, user):
    response = api_client.post(
        "/api/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        format="json",
        HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz",
    )

    assert response.status_code == 200
