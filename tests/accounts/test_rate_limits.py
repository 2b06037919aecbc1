"""Abuse limits on the auth endpoints: per client IP, and per account for failed logins.

Contract: shared/API.md "API keys: scopes and rate limits" (login/register per IP and login per
account → 429 RATE_LIMITED) and Conventions (Retry-After); changelog: "Login/register soumis au
rate limiter global".
"""

import pytest
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import assert_error

LOGIN = "/api/v1/auth/login"


@pytest.fixture(autouse=True)
def _frozen_clock():
    """The limits count in fixed windows; a frozen clock keeps a test inside one window."""
    with freeze_time("2026-06-01 10:20:00"):
        yield


def assert_rate_limited(response):
    assert_error(response, 429, "RATE_LIMITED")
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.django_db
def test_login_is_limited_per_ip_and_failed_attempts_count():
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    accounts = [UserFactory(verified=True) for _ in range(3)]
    statuses = [
        client.post(
            LOGIN, {"email": accounts[i % 3].email, "password": "wrong"}, format="json"
        ).status_code
        for i in range(20)
    ]

    refused = client.post(LOGIN, {"email": accounts[0].email, "password": PASSWORD}, format="json")

    assert statuses == [401] * 20
    assert_rate_limited(refused)
    other_ip = APIClient(REMOTE_ADDR="203.0.113.8").post(
        LOGIN, {"email": accounts[0].email, "password": PASSWORD}, format="json"
    )
    assert other_ip.status_code == 200


@pytest.mark.django_db
def test_login_is_limited_per_account_across_ips():
    """Ten failures from ten addresses lock the account's logins for a while, even with the
    right password; other accounts are unaffected."""
    victim = UserFactory(verified=True)
    bystander = UserFactory(verified=True)
    for n in range(10):
        response = APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(
            LOGIN, {"email": victim.email.upper(), "password": "guess"}, format="json"
        )
        assert_error(response, 401, "INVALID_CREDENTIALS")

    locked = APIClient(REMOTE_ADDR="198.51.100.200").post(
        LOGIN, {"email": victim.email, "password": PASSWORD}, format="json"
    )

    assert_rate_limited(locked)
    victim.refresh_from_db()
    assert victim.last_login is None
    fine = APIClient(REMOTE_ADDR="198.51.100.201").post(
        LOGIN, {"email": bystander.email, "password": PASSWORD}, format="json"
    )
    assert fine.status_code == 200


@pytest.mark.django_db
def test_successful_logins_do_not_lock_the_account():
    user = UserFactory(verified=True)
    for n in range(12):
        response = APIClient(REMOTE_ADDR=f"192.0.2.{n}").post(
            LOGIN, {"email": user.email, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200


@pytest.mark.django_db
def test_register_is_limited_per_ip():
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    for n in range(10):
        body = {"email": f"new{n}@example.com", "username": f"new{n}", "password": "Zx9!long-pass"}
        assert client.post("/api/v1/auth/register", body, format="json").status_code == 201

    refused = client.post(
        "/api/v1/auth/register",
        {"email": "new10@example.com", "username": "new10", "password": "Zx9!long-pass"},
        format="json",
    )

    assert_rate_limited(refused)
    assert not User.objects.filter(email="new10@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/auth/password-reset", "/api/v1/auth/verify-email/resend"])
def test_password_reset_and_resend_are_limited_per_ip(
    url, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(is_verified=url.endswith("password-reset"))
    client = APIClient(REMOTE_ADDR="203.0.113.10")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            assert client.post(url, {"email": user.email}, format="json").status_code == 202
    sent = len(mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {"email": user.email}, format="json")

    assert_rate_limited(refused)
    assert len(mailoutbox) == sent == 10


@pytest.mark.django_db
def test_behind_proxies_the_client_ip_comes_from_x_forwarded_for(settings):
    settings.NUM_PROXIES = 1
    user = UserFactory(verified=True)
    proxy = "10.0.0.1"
    for _ in range(20):
        APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.50").post(
            LOGIN, {"email": user.email, "password": "x"}, format="json"
        )

    same_client = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50").post(
        LOGIN, {"email": user.email, "password": PASSWORD}, format="json"
    )
    other_client = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.51").post(
        LOGIN, {"email": UserFactory(verified=True).email, "password": PASSWORD}, format="json"
    )

    assert_rate_limited(same_client)
    assert other_client.status_code == 200
