"""A new account's whole journey over HTTP, as a user walks it: register, verify the address,
log in and become a creator (each step depends on the one before, so one test walks them all)."""

import re

import pytest
from django.core import mail

from apps.accounts.models import AuditLog, User
from tests.helpers import assert_error

PASSWORD = "a-Long-pass-phrase-42"


def _link_token(message, path: str) -> str:
    match = re.search(rf"http://localhost:8000{path}\?token=(\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_new_account_registers_verifies_logs_in_and_becomes_a_creator(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register",
            {"email": "Nova@Example.com", "username": "nova", "password": PASSWORD},
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["role"] == "user"
    assert response.json()["is_verified"] is False

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Nova@example.com"]
    assert message.subject == "Confirm your email address for Veza"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    token = _link_token(message, "/verify-email")
    assert token in html

    # Before verification the upgrade is refused.
    login = api_client.post(
        "/api/v1/auth/login", {"email": "nova@example.com", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    early = api_client.post(
        "/api/v1/users/me/upgrade-creator",
        HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}",
    )
    assert_error(early, 403, "EMAIL_NOT_VERIFIED")

    verify = api_client.post("/api/v1/auth/verify-email", {"token": token}, format="json")
    assert verify.status_code == 200
    assert verify.json()["is_verified"] is True

    login = api_client.post(
        "/api/v1/auth/login", {"email": "NOVA@example.com", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    tokens = login.json()
    assert set(tokens) == {"access", "refresh", "user"}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}

    upgrade = api_client.post("/api/v1/users/me/upgrade-creator", **auth)
    assert upgrade.status_code == 200
    assert upgrade.json()["role"] == "creator"
    assert upgrade.json()["already_elevated"] is False

    me = api_client.get("/api/v1/users/me", **auth)
    assert me.status_code == 200
    assert me.json()["role"] == "creator"
    assert me.json()["is_verified"] is True
    assert me.json()["promoted_to_creator_at"] == upgrade.json()["promoted_to_creator_at"]

    user = User.objects.get(email__iexact="nova@example.com")
    actions = list(
        AuditLog.objects.filter(actor=user).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["user.register", "user.verify_email", "user.upgrade_creator"]
