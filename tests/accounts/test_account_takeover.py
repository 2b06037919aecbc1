"""Pre-registration takeover and what a credential change revokes.

Someone registers another person's address without owning it. They may not set up anything
that outlives the owner taking the address back: an unverified account cannot create API keys
or turn 2FA on, and the owner proving the address (reset link, or the verification link clicked
without the holder's token) ends everything the earlier holder set up. A password change or
reset always ends the API keys, the other sessions and every older access token, tells the
owner which keys went, and leaves an audit row staff can read.
"""

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey, AuditLog, BackupCodeDevice, OAuthAccount, User
from apps.accounts.tokens import email_verification_token_make
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_two_factor import enable_2fa
from tests.helpers import assert_error

VICTIM = "victim@example.com"
KEYS = "/api/v1/developer/api-keys"
ME = "/api/v1/users/me"
REFRESH = "/api/v1/auth/token/refresh"


def login(email, password=PASSWORD, **extra):
    response = APIClient().post(
        "/api/v1/auth/login", {"email": email, "password": password, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def key_works(raw) -> bool:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return client.get(ME).status_code == 200


def refresh_works(refresh) -> bool:
    return APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code == 200


def reset_password(email, new_password, capture):
    with capture(execute=True):
        assert (
            APIClient()
            .post("/api/v1/auth/password-reset", {"email": email}, format="json")
            .status_code
            == 202
        )
    token = re.search(r"/reset-password\?token=(\S+)", mail.outbox[-1].body).group(1)
    with capture(execute=True):
        response = APIClient().post(
            "/api/v1/auth/password-reset/confirm",
            {"token": token, "new_password": new_password},
            format="json",
        )
    assert response.status_code == 204, response.content


def squatter_with_everything():
    """The state the review found: a squatter's unverified account holding an API key, 2FA and
    an OAuth link (set up before unverified accounts were refused), and a live session."""
    squatter = UserFactory(email=VICTIM, is_verified=True)
    session = login(VICTIM)
    created = bearer(session["access"]).post(
        KEYS, {"name": "squat", "scopes": ["write"]}, format="json"
    )
    assert created.status_code == 201
    _, backup_codes = enable_2fa(squatter)
    OAuthAccount.objects.create(user=squatter, provider="fakeidp", provider_user_id="squat-1")
    User.objects.filter(pk=squatter.pk).update(is_verified=False)
    squatter.refresh_from_db()
    session = login(VICTIM, otp_code=backup_codes[0])
    return squatter, created.json(), session


@pytest.mark.django_db
def test_an_unverified_account_can_create_neither_api_keys_nor_2fa(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        registered = APIClient().post(
            "/api/v1/auth/register",
            {"email": VICTIM, "username": "squatter", "password": PASSWORD},
            format="json",
        )
    assert registered.status_code == 201
    client = bearer(login(VICTIM)["access"])

    key = client.post(KEYS, {"name": "squat", "scopes": ["admin"]}, format="json")
    setup = client.post("/api/v1/auth/2fa/setup")
    enable = client.post("/api/v1/auth/2fa/enable", {"code": "123456"}, format="json")

    for response in (key, setup, enable):
        assert_error(response, 403, "EMAIL_NOT_VERIFIED")
    assert not ApiKey.objects.exists()
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_the_owner_resetting_the_password_revokes_everything_the_squatter_set_up(
    django_capture_on_commit_callbacks,
):
    squatter, key, session = squatter_with_everything()
    assert key_works(key["key"])

    reset_password(VICTIM, "owner-New-Secret-2026", django_capture_on_commit_callbacks)

    assert not key_works(key["key"])
    assert not refresh_works(session["refresh"])
    stale = bearer(session["access"]).get(ME)
    assert_error(stale, 401, "INVALID_TOKEN")
    assert not TOTPDevice.objects.filter(user=squatter).exists()
    assert not BackupCodeDevice.objects.filter(user=squatter).exists()
    assert not OAuthAccount.objects.filter(user=squatter).exists()
    # The owner signs in with the new password alone: no squatter 2FA locks them out.
    owner = login(VICTIM, "owner-New-Secret-2026")
    assert owner["user"]["is_verified"] is True
    assert bearer(owner["access"]).get(ME).status_code == 200
    entry = AuditLog.objects.get(action="user.password_reset")
    assert entry.target_id == str(squatter.pk)
    assert entry.metadata == {
        "revoked_sessions": 3,  # every login the squatter made
        "revoked_api_keys": [key["prefix"]],
        "removed_two_factor_devices": 2,
        "removed_oauth_links": ["fakeidp:squat-1"],
        "verified_email": True,
    }
    notice = mail.outbox[-1]
    assert notice.to == [VICTIM]
    assert notice.subject == "Your Veza password was changed"
    assert "was just reset" in notice.body
    assert key["prefix"] in notice.body


@pytest.mark.django_db
def test_the_verification_link_clicked_without_the_holders_token_ends_what_they_set_up():
    squatter, key, session = squatter_with_everything()
    token = email_verification_token_make(squatter)

    response = APIClient().post("/api/v1/auth/verify-email", {"token": token}, format="json")

    assert response.status_code == 200
    assert response.json()["is_verified"] is True
    assert not key_works(key["key"])
    assert not refresh_works(session["refresh"])
    assert_error(bearer(session["access"]).get(ME), 401, "INVALID_TOKEN")
    assert not TOTPDevice.objects.filter(user=squatter).exists()
    assert not OAuthAccount.objects.filter(user=squatter).exists()
    entry = AuditLog.objects.get(action="user.verify_email")
    assert entry.metadata == {
        "verified_by_signed_in_holder": False,
        "revoked_sessions": 3,  # every login the squatter made
        "revoked_api_keys": [key["prefix"]],
        "removed_two_factor_devices": 2,
        "removed_oauth_links": ["fakeidp:squat-1"],
    }


@pytest.mark.django_db
def test_the_holder_verifying_with_their_own_token_stays_signed_in():
    user = UserFactory(is_verified=False)
    session = login(user.email)
    token = email_verification_token_make(user)

    response = bearer(session["access"]).post(
        "/api/v1/auth/verify-email", {"token": token}, format="json"
    )

    assert response.status_code == 200
    assert bearer(session["access"]).get(ME).status_code == 200
    assert refresh_works(session["refresh"])
    entry = AuditLog.objects.get(action="user.verify_email")
    assert entry.metadata == {"verified_by_signed_in_holder": True}


@pytest.mark.django_db
def test_a_password_change_revokes_api_keys_other_sessions_and_older_access_tokens(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(verified=True)
    phone, laptop = login(user.email), login(user.email)
    keys = [
        bearer(laptop["access"]).post(KEYS, {"name": name, "scopes": ["read"]}, format="json")
        for name in ("ci", "backup-script")
    ]
    raw_keys = [response.json()["key"] for response in keys]
    prefixes = [response.json()["prefix"] for response in keys]

    with django_capture_on_commit_callbacks(execute=True):
        changed = bearer(laptop["access"]).put(
            "/api/v1/users/me/password",
            {
                "current_password": PASSWORD,
                "new_password": "brand-new-Secret-77",
                "refresh": laptop["refresh"],
            },
            format="json",
        )

    assert changed.status_code == 204
    assert [key_works(raw) for raw in raw_keys] == [False, False]
    assert_error(bearer(phone["access"]).get(ME), 401, "INVALID_TOKEN")
    assert_error(bearer(laptop["access"]).get(ME), 401, "INVALID_TOKEN")  # issued before the change
    assert not refresh_works(phone["refresh"])
    rotated = APIClient().post(REFRESH, {"refresh": laptop["refresh"]}, format="json")
    assert rotated.status_code == 200  # the caller's named session carries on
    assert bearer(rotated.json()["access"]).get(ME).status_code == 200
    assert set(ApiKey.objects.filter(user=user).values_list("revoked_at", flat=True)) != {None}
    entry = AuditLog.objects.get(action="user.password_change")
    assert entry.metadata["revoked_api_keys"] == prefixes
    assert entry.metadata["revoked_sessions"] == 1
    notice = mail.outbox[-1]
    assert notice.subject == "Your Veza password was changed"
    for prefix in prefixes:
        assert prefix in notice.body
        assert prefix in notice.alternatives[0][0]


@pytest.mark.django_db
def test_a_reset_of_a_verified_account_revokes_keys_and_sessions_but_keeps_its_2fa(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(verified=True)
    _, backup_codes = enable_2fa(user)
    session = login(user.email, otp_code=backup_codes[0])
    key = bearer(session["access"]).post(KEYS, {"name": "ci", "scopes": ["read"]}, format="json")

    reset_password(user.email, "reset-Secret-2026", django_capture_on_commit_callbacks)

    assert not key_works(key.json()["key"])
    assert_error(bearer(session["access"]).get(ME), 401, "INVALID_TOKEN")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    without_code = APIClient().post(
        "/api/v1/auth/login",
        {"email": user.email, "password": "reset-Secret-2026"},
        format="json",
    )
    assert_error(without_code, 401, "OTP_REQUIRED")
    entry = AuditLog.objects.get(action="user.password_reset")
    assert entry.metadata["verified_email"] is False
    assert entry.metadata["removed_two_factor_devices"] == 0


@pytest.mark.django_db
def test_the_verification_link_also_ends_the_earlier_holders_cookie_sessions(client):
    squatter = UserFactory(email=VICTIM, is_verified=False)
    client.force_login(squatter)
    assert client.get(ME).status_code == 200
    token = email_verification_token_make(squatter)

    verified = APIClient().post("/api/v1/auth/verify-email", {"token": token}, format="json")

    assert verified.status_code == 200
    assert_error(client.get(ME), 401, "AUTHENTICATION_REQUIRED")


@pytest.mark.django_db
def test_cookie_sessions_from_before_any_revocation_stay_valid(client, user):
    """Version 0 keeps Django's own session hash: deploying this logs nobody out."""
    client.force_login(user)

    assert user.session_version == 0
    assert client.get(ME).status_code == 200
