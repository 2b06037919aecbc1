"""Two-factor authentication: setup, enable, login with TOTP or backup codes, disable.

Contract: shared/API.md "Accounts and authentication" (/auth/2fa/*, login OTP_REQUIRED /
INVALID_OTP); changelog: the 2FA columns that returned 500.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from apps.accounts.models import AuditLog, BackupCode, BackupCodeDevice
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error

SETUP = "/api/v1/auth/2fa/setup"
ENABLE = "/api/v1/auth/2fa/enable"
DISABLE = "/api/v1/auth/2fa/disable"
LOGIN = "/api/v1/auth/login"


def code_for(device: TOTPDevice, at=None) -> str:
    """The device's TOTP code at ``at`` (default: now, which freezegun may have frozen)."""
    device.refresh_from_db()
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = (at or timezone.now()).timestamp()
    return f"{generator.token():0{device.digits}d}"


def enable_2fa(user) -> tuple[TOTPDevice, list[str]]:
    client = bearer_client(user)
    assert client.post(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENABLE, {"code": code_for(device)}, format="json")
    assert response.status_code == 200, response.content
    return device, response.json()["backup_codes"]


@pytest.mark.django_db
def test_setup_returns_a_secret_and_otpauth_url_but_2fa_is_not_on_yet(
    user, user_client, api_client
):
    response = user_client.post(SETUP)

    assert response.status_code == 200
    body = response.json()
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    url = urlsplit(body["otpauth_url"])
    assert url.scheme == "otpauth"
    assert parse_qs(url.query)["secret"] == [body["secret"]]
    assert parse_qs(url.query)["issuer"] == ["Veza"]
    login = api_client.post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    assert login.status_code == 200  # not active until enabled


@pytest.mark.django_db
def test_enable_with_a_wrong_code_is_invalid_otp_and_changes_nothing(user, user_client):
    user_client.post(SETUP)

    response = user_client.post(ENABLE, {"code": "000000"}, format="json")

    assert_error(response, 400, "INVALID_OTP")
    assert TOTPDevice.objects.get(user=user).confirmed is False
    assert not BackupCodeDevice.objects.filter(user=user).exists()
    assert not AuditLog.objects.filter(action="user.2fa_enable").exists()


@pytest.mark.django_db
def test_enable_returns_ten_backup_codes_stored_only_hashed(user):
    assert bearer_client(user).get("/api/v1/auth/2fa").json() == {
        "enabled": False,
        "backup_codes_remaining": 0,
    }
    device, codes = enable_2fa(user)
    assert bearer_client(user).get("/api/v1/auth/2fa").json() == {
        "enabled": True,
        "backup_codes_remaining": 10,
    }

    device.refresh_from_db()
    assert device.confirmed is True
    assert len(codes) == 10
    assert len(set(codes)) == 10
    hashes = list(BackupCode.objects.filter(device__user=user).values_list("code_hash", flat=True))
    assert len(hashes) == 10
    for code in codes:
        assert all(code.replace("-", "") not in stored for stored in hashes)
    assert all(stored.startswith("pbkdf2_sha256_backup$") for stored in hashes)
    assert AuditLog.objects.filter(action="user.2fa_enable", actor=user).count() == 1
    second = bearer_client(user).post(SETUP)
    assert_error(second, 409, "TWO_FACTOR_ALREADY_ENABLED")


@pytest.mark.django_db
def test_enable_without_setup_is_a_conflict(user_client):
    response = user_client.post(ENABLE, {"code": "123456"}, format="json")

    assert_error(response, 409, "TWO_FACTOR_NOT_SET_UP")


@pytest.mark.django_db
def test_login_asks_for_the_code_then_accepts_it(user, api_client):
    device, _ = enable_2fa(user)
    credentials = {"email": user.email, "password": PASSWORD}

    missing = api_client.post(LOGIN, credentials, format="json")
    assert_error(missing, 401, "OTP_REQUIRED")
    assert "access" not in missing.json()

    with freeze_time(timezone.now() + timedelta(seconds=60)):
        ok = api_client.post(
            LOGIN, {**credentials, "otp_code": code_for(device, timezone.now())}, format="json"
        )
    assert ok.status_code == 200
    assert set(ok.json()) == {"access", "refresh", "user"}


@pytest.mark.django_db
def test_wrong_password_is_still_invalid_credentials_with_2fa_on(user, api_client):
    enable_2fa(user)

    response = api_client.post(
        LOGIN, {"email": user.email, "password": "wrong-one", "otp_code": "123456"}, format="json"
    )

    assert_error(response, 401, "INVALID_CREDENTIALS")


@pytest.mark.django_db
def test_wrong_code_is_invalid_otp(user, api_client):
    enable_2fa(user)

    response = api_client.post(
        LOGIN, {"email": user.email, "password": PASSWORD, "otp_code": "000000"}, format="json"
    )

    assert_error(response, 401, "INVALID_OTP")


@pytest.mark.django_db
def test_a_replayed_totp_code_is_rejected(user, api_client):
    device, _ = enable_2fa(user)
    later = timezone.now() + timedelta(seconds=90)
    with freeze_time(later):
        code = code_for(device, later)
        body = {"email": user.email, "password": PASSWORD, "otp_code": code}
        first = api_client.post(LOGIN, body, format="json")
    with freeze_time(later + timedelta(seconds=5)):
        replay = api_client.post(LOGIN, body, format="json")

    assert first.status_code == 200
    assert_error(replay, 401, "INVALID_OTP")


@pytest.mark.django_db
def test_a_backup_code_works_in_place_of_the_totp_code_once(user, api_client):
    _, codes = enable_2fa(user)
    body = {"email": user.email, "password": PASSWORD, "otp_code": codes[3].lower()}

    first = api_client.post(LOGIN, body, format="json")
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        again = api_client.post(LOGIN, body, format="json")

    assert first.status_code == 200
    assert_error(again, 401, "INVALID_OTP")
    assert BackupCode.objects.filter(device__user=user, used_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_otp_attempts_are_throttled_per_user(user, api_client):
    device, _ = enable_2fa(user)
    start = timezone.now() + timedelta(seconds=60)
    body = {"email": user.email, "password": PASSWORD, "otp_code": "000000"}
    with freeze_time(start):
        assert_error(api_client.post(LOGIN, body, format="json"), 401, "INVALID_OTP")
        # Immediately after a failure, even the right code waits (exponential back-off).
        right = {**body, "otp_code": code_for(device, start)}
        throttled = api_client.post(LOGIN, right, format="json")

    assert_error(throttled, 429, "RATE_LIMITED")
    assert int(throttled.headers["Retry-After"]) >= 1
    with freeze_time(start + timedelta(seconds=2)):
        assert api_client.post(LOGIN, right, format="json").status_code == 200


@pytest.mark.django_db
def test_disable_needs_the_password_and_a_code(user):
    device, codes = enable_2fa(user)
    client = bearer_client(user)

    wrong_password = client.post(DISABLE, {"password": "nope", "code": codes[0]}, format="json")
    assert_error(wrong_password, 400, "INVALID_PASSWORD")
    wrong_code = client.post(DISABLE, {"password": PASSWORD, "code": "000000"}, format="json")
    assert_error(wrong_code, 400, "INVALID_OTP")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    with freeze_time(timezone.now() + timedelta(seconds=60)):
        response = client.post(
            DISABLE, {"password": PASSWORD, "code": code_for(device, timezone.now())}, format="json"
        )

    assert response.status_code == 204
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not BackupCodeDevice.objects.filter(user=user).exists()
    assert not BackupCode.objects.exists()
    assert AuditLog.objects.filter(action="user.2fa_disable", actor=user).count() == 1
    again = client.post(DISABLE, {"password": PASSWORD, "code": "123456"}, format="json")
    assert_error(again, 409, "TWO_FACTOR_NOT_ENABLED")


@pytest.mark.django_db
def test_api_keys_cannot_manage_two_factor(user):
    from apps.accounts.services import api_key_create
    from veza.audit import RequestMeta

    _, raw = api_key_create(user=user, name="x", scopes=["admin"], meta=RequestMeta())
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)

    response = client.post(SETUP)

    assert_error(response, 403, "API_KEY_NOT_ALLOWED")
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_users_without_2fa_log_in_as_before():
    other = UserFactory(verified=True)
    from rest_framework.test import APIClient

    response = APIClient().post(LOGIN, {"email": other.email, "password": PASSWORD}, format="json")

    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_one_code_used_by_parallel_logins_signs_in_once(live_server):
    """The TOTP device row is locked while it verifies: of eight simultaneous logins with the
    same fresh code, exactly one gets tokens."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    user = UserFactory(verified=True)
    device, _ = enable_2fa(user)
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=device.last_t - 1)  # code reusable
    code = code_for(device)
    barrier = threading.Barrier(8)

    def login(_):
        barrier.wait()
        return requests.post(
            f"{live_server.url}{LOGIN}",
            json={"email": user.email, "password": PASSWORD, "otp_code": code},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(login, range(8)))

    assert statuses.count(200) == 1
    assert set(statuses) - {200} <= {401, 429}
