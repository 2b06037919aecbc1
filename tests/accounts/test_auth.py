"""Login, token rotation, logout, password change and reset, verification edge cases."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from freezegun import freeze_time

from apps.accounts.models import AuditLog, User
from apps.accounts.tokens import email_verification_token_make, password_reset_token_make
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import assert_error


def login(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")


@pytest.mark.django_db
def test_login_with_wrong_password_is_invalid_credentials(api_client):
    user = UserFactory()

    response = login(api_client, user.email, "not-the-password")

    assert_error(response, 401, "INVALID_CREDENTIALS")


@pytest.mark.django_db
def test_login_with_unknown_email_looks_like_a_wrong_password(api_client):
    response = login(api_client, "nobody@example.com")

    assert_error(response, 401, "INVALID_CREDENTIALS")


@pytest.mark.django_db
def test_deactivated_account_cannot_log_in(api_client):
    user = UserFactory(is_active=False)

    assert_error(login(api_client, user.email), 401, "INVALID_CREDENTIALS")


@pytest.mark.django_db
def test_refresh_rotates_and_the_old_refresh_token_stops_working(api_client):
    user = UserFactory()
    first = login(api_client, user.email).json()

    rotated = api_client.post(
        "/api/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json"
    )
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != first["refresh"]

    replay = api_client.post(
        "/api/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json"
    )
    assert_error(replay, 401, "INVALID_TOKEN")

    me = api_client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {rotated.json()['access']}")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


@pytest.mark.django_db
def test_logout_revokes_the_refresh_token(api_client):
    user = UserFactory()
    tokens = login(api_client, user.email).json()

    response = api_client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 204
    refresh = api_client.post(
        "/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    assert_error(refresh, 401, "INVALID_TOKEN")


@pytest.mark.django_db
def test_garbage_refresh_token_is_invalid_token(api_client):
    response = api_client.post("/api/v1/auth/token/refresh", {"refresh": "nope"}, format="json")

    assert_error(response, 401, "INVALID_TOKEN")


@pytest.mark.django_db
def test_access_token_is_not_accepted_as_a_refresh_token(api_client):
    user = UserFactory()
    tokens = login(api_client, user.email).json()

    response = api_client.post(
        "/api/v1/auth/token/refresh", {"refresh": tokens["access"]}, format="json"
    )

    assert_error(response, 401, "INVALID_TOKEN")


@pytest.mark.django_db
def test_password_change_revokes_other_sessions_but_keeps_the_named_one(
    api_client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    phone = login(api_client, user.email).json()
    laptop = login(api_client, user.email).json()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.put(
            "/api/v1/users/me/password",
            {
                "current_password": PASSWORD,
                "new_password": "brand-new-Secret-77",
                "refresh": laptop["refresh"],
            },
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {laptop['access']}",
        )

    assert response.status_code == 204
    phone_refresh = api_client.post(
        "/api/v1/auth/token/refresh", {"refresh": phone["refresh"]}, format="json"
    )
    assert_error(phone_refresh, 401, "INVALID_TOKEN")
    laptop_refresh = api_client.post(
        "/api/v1/auth/token/refresh", {"refresh": laptop["refresh"]}, format="json"
    )
    assert laptop_refresh.status_code == 200
    assert_error(login(api_client, user.email), 401, "INVALID_CREDENTIALS")
    assert login(api_client, user.email, "brand-new-Secret-77").status_code == 200
    assert AuditLog.objects.get(action="user.password_change").metadata == {
        "revoked_sessions": 1,
        "revoked_api_keys": [],
        "removed_two_factor_devices": 0,
        "removed_oauth_links": [],
    }
    assert [m.subject for m in mail.outbox] == ["Your Veza password was changed"]


@pytest.mark.django_db
def test_password_change_with_wrong_current_password_changes_nothing(api_client):
    user = UserFactory()
    tokens = login(api_client, user.email).json()

    response = api_client.put(
        "/api/v1/users/me/password",
        {"current_password": "wrong", "new_password": "brand-new-Secret-77"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['access']}",
    )

    assert_error(response, 400, "INVALID_PASSWORD")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_rejects_a_weak_new_password(api_client):
    user = UserFactory()
    tokens = login(api_client, user.email).json()

    response = api_client.put(
        "/api/v1/users/me/password",
        {"current_password": PASSWORD, "new_password": "123"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['access']}",
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert "new_password" in error["details"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_reset_emails_a_single_use_link(api_client, django_capture_on_commit_callbacks):
    user = UserFactory()
    session = login(api_client, user.email).json()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/password-reset", {"email": user.email.upper()}, format="json"
        )
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    token = re.search(r"/reset-password\?token=(\S+)", mail.outbox[0].body).group(1)

    confirm = api_client.post(
        "/api/v1/auth/password-reset/confirm",
        {"token": token, "new_password": "reset-Secret-2026"},
        format="json",
    )
    assert confirm.status_code == 204
    assert login(api_client, user.email, "reset-Secret-2026").status_code == 200
    old_session = api_client.post(
        "/api/v1/auth/token/refresh", {"refresh": session["refresh"]}, format="json"
    )
    assert_error(old_session, 401, "INVALID_TOKEN")

    again = api_client.post(
        "/api/v1/auth/password-reset/confirm",
        {"token": token, "new_password": "another-Secret-2026"},
        format="json",
    )
    assert_error(again, 400, "INVALID_TOKEN")
    user.refresh_from_db()
    assert user.check_password("reset-Secret-2026")


@pytest.mark.django_db
def test_password_reset_for_unknown_email_answers_the_same_and_sends_nothing(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/password-reset", {"email": "ghost@example.com"}, format="json"
        )

    assert response.status_code == 202
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_link_expires_after_an_hour(api_client):
    user = UserFactory()
    with freeze_time("2026-01-01 10:00:00"):
        token = password_reset_token_make(user)
    with freeze_time("2026-01-01 11:00:05"):
        response = api_client.post(
            "/api/v1/auth/password-reset/confirm",
            {"token": token, "new_password": "reset-Secret-2026"},
            format="json",
        )

    assert_error(response, 400, "INVALID_TOKEN")


@pytest.mark.django_db
def test_verification_link_works_once(api_client):
    user = UserFactory(is_verified=False)
    token = email_verification_token_make(user)

    first = api_client.post("/api/v1/auth/verify-email", {"token": token}, format="json")
    second = api_client.post("/api/v1/auth/verify-email", {"token": token}, format="json")

    assert first.status_code == 200
    assert_error(second, 400, "INVALID_TOKEN")
    assert AuditLog.objects.filter(action="user.verify_email").count() == 1


@pytest.mark.django_db
def test_verification_link_expires_after_48_hours(api_client):
    user = UserFactory(is_verified=False)
    with freeze_time("2026-01-01 10:00:00"):
        token = email_verification_token_make(user)
    with freeze_time("2026-01-03 09:59:00"):
        still_valid = api_client.post("/api/v1/auth/verify-email", {"token": token}, format="json")
    assert still_valid.status_code == 200

    other = UserFactory(is_verified=False)
    with freeze_time("2026-01-01 10:00:00"):
        late_token = email_verification_token_make(other)
    with freeze_time("2026-01-03 10:00:05"):
        expired = api_client.post("/api/v1/auth/verify-email", {"token": late_token}, format="json")
    assert_error(expired, 400, "INVALID_TOKEN")
    other.refresh_from_db()
    assert other.is_verified is False


@pytest.mark.django_db
def test_tampered_verification_token_is_invalid(api_client):
    user = UserFactory(is_verified=False)
    token = email_verification_token_make(user)

    response = api_client.post(
        "/api/v1/auth/verify-email", {"token": token[:-2] + "xx"}, format="json"
    )

    assert_error(response, 400, "INVALID_TOKEN")


@pytest.mark.django_db
@pytest.mark.parametrize("known", [True, False])
def test_resend_answers_202_whether_or_not_the_account_exists(
    api_client, django_capture_on_commit_callbacks, known
):
    if known:
        UserFactory(email="someone@example.com", is_verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/verify-email/resend", {"email": "someone@example.com"}, format="json"
        )

    assert response.status_code == 202
    assert response.content == b""
    assert len(mail.outbox) == (1 if known else 0)


@pytest.mark.django_db
def test_users_me_patch_updates_username_and_profile(user, user_client):
    response = user_client.patch(
        "/api/v1/users/me",
        {"username": "newname", "profile": {"display_name": "DJ New", "country": "FR"}},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "newname"
    assert body["profile"]["display_name"] == "DJ New"
    assert body["profile"]["country"] == "FR"
    user.refresh_from_db()
    assert user.username == "newname"
    assert user.profile.country == "FR"


@pytest.mark.django_db
def test_users_me_patch_cannot_change_role_or_verification(user, user_client):
    response = user_client.patch(
        "/api/v1/users/me", {"role": "admin", "is_verified": False}, format="json"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.role == "user"
    assert user.is_verified is True


@pytest.mark.django_db
def test_users_me_patch_refuses_a_taken_username_in_other_casing(user, user_client):
    UserFactory(username="Taken")

    response = user_client.patch("/api/v1/users/me", {"username": "taken"}, format="json")

    assert_error(
        response, 400, "VALIDATION_ERROR", details={"username": ["This username is taken."]}
    )


@pytest.mark.django_db
def test_expired_access_token_is_refused(api_client):
    user = UserFactory()
    with freeze_time("2026-01-01 10:00:00"):
        access = login(api_client, user.email).json()["access"]
    with freeze_time("2026-01-01 10:00:00") as frozen:
        frozen.tick(timedelta(minutes=16))
        response = api_client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {access}")

    assert_error(response, 401, "INVALID_TOKEN")
    assert User.objects.filter(pk=user.pk).exists()
