"""Password oracles: the endpoints that check a password or manage credentials need a real
login (bearer token or session), never an API key, and wrong passwords there count against the
same per-account limit as the login; otherwise a leaked key, or any caller, could guess a
password there without meeting the login's limit.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.services import api_key_create
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_two_factor import enable_2fa
from tests.conftest import bearer_client
from tests.helpers import assert_error
from veza.audit import RequestMeta

PASSWORD_URL = "/api/v1/users/me/password"
DISABLE = "/api/v1/auth/2fa/disable"


@pytest.fixture(autouse=True)
def _frozen_clock():
    """The per-account limit counts in fixed windows: stay inside one."""
    with freeze_time("2026-06-01 10:20:00"):
        yield


def key_client(user, scopes=("admin",)) -> APIClient:
    _, raw = api_key_create(user=user, name="integration", scopes=list(scopes), meta=RequestMeta())
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("put", PASSWORD_URL, {"current_password": PASSWORD, "new_password": "Zx9!other-pass"}),
        ("post", DISABLE, {"password": PASSWORD, "code": "123456"}),
        ("post", "/api/v1/auth/2fa/setup", None),
        ("post", "/api/v1/auth/2fa/enable", {"code": "123456"}),
        ("get", "/api/v1/auth/2fa", None),
    ],
)
def test_an_api_key_cannot_check_passwords_or_manage_credentials(method, url, body):
    user = UserFactory(verified=True)
    client = key_client(user)

    response = getattr(client, method)(url, body, format="json")

    assert_error(response, 403, "API_KEY_NOT_ALLOWED")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_wrong_current_passwords_are_limited_like_logins_and_share_the_bucket():
    user = UserFactory(verified=True)
    client = bearer_client(user)
    for _ in range(10):
        wrong = client.put(
            PASSWORD_URL,
            {"current_password": "guess", "new_password": "Zx9!other-pass"},
            format="json",
        )
        assert_error(wrong, 400, "INVALID_PASSWORD")

    refused = client.put(
        PASSWORD_URL,
        {"current_password": PASSWORD, "new_password": "Zx9!other-pass"},
        format="json",
    )
    login = APIClient().post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )

    for response in (refused, login):
        assert_error(response, 429, "RATE_LIMITED")
        assert int(response["Retry-After"]) >= 1
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_wrong_passwords_on_2fa_disable_are_limited_like_logins(user):
    _, backup_codes = enable_2fa(user)
    client = bearer_client(user)
    for _ in range(10):
        wrong = client.post(DISABLE, {"password": "guess", "code": backup_codes[0]}, format="json")
        assert_error(wrong, 400, "INVALID_PASSWORD")

    refused = client.post(DISABLE, {"password": PASSWORD, "code": backup_codes[0]}, format="json")

    assert_error(refused, 429, "RATE_LIMITED")
    assert int(refused["Retry-After"]) >= 1
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@pytest.mark.django_db
def test_failed_logins_also_lock_the_password_change():
    user = UserFactory(verified=True)
    for n in range(10):
        APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(
            "/api/v1/auth/login", {"email": user.email, "password": "guess"}, format="json"
        )

    response = bearer_client(user).put(
        PASSWORD_URL,
        {"current_password": PASSWORD, "new_password": "Zx9!other-pass"},
        format="json",
    )

    assert_error(response, 429, "RATE_LIMITED")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
