"""The links of the verification and password-reset emails open server pages that complete the
action (default FRONTEND_URL, no SPA needed); with a real FRONTEND_URL they go to the SPA."""

import re

import pytest
from django.core import mail
from django.test import Client

from apps.accounts.models import AuditLog, User
from tests.accounts.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-brand-new-passphrase-42"


def emailed_link(path: str) -> str:
    """The link to ``path`` in the last email, as a path + query on this server."""
    body = mail.outbox[-1].body
    match = re.search(r"http://localhost:8000(" + re.escape(path) + r"\?token=\S+)", body)
    assert match, body
    return match.group(1)


def browser() -> Client:
    """A browser: CSRF enforced, the cookie set by the GET sent back with the form."""
    return Client(enforce_csrf_checks=True)


def post_form(client: Client, url: str, data: dict):
    token = client.cookies["csrftoken"].value
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    def register(email="newcomer@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/auth/register",
                {"email": email, "username": "newcomer", "password": PASSWORD},
                content_type="application/json",
            )
        assert response.status_code == 201
        return User.objects.get(email=email)

    return register


@pytest.fixture
def reset_requested(client, django_capture_on_commit_callbacks):
    """A verified account that asked for a password reset (the email is in the outbox)."""
    user = UserFactory(verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/auth/password-reset", {"email": user.email}, "application/json"
        )
    assert response.status_code == 202
    return user


@pytest.mark.django_db
def test_the_verification_link_opens_a_page_whose_button_verifies_the_address(register):
    user = register()
    link = emailed_link("/verify-email")
    page = browser()

    opened = page.get(link)

    assert opened.status_code == 200
    assert b"Confirm my email" in opened.content
    assert opened["Cache-Control"].startswith("max-age=0")
    user.refresh_from_db()
    assert user.is_verified is False  # opening the link (a mail scanner) spends nothing

    confirmed = post_form(page, "/verify-email", {"token": link.split("token=")[1]})

    assert confirmed.status_code == 200
    assert b"is confirmed" in confirmed.content
    user.refresh_from_db()
    assert user.is_verified is True
    assert AuditLog.objects.filter(action="user.verify_email", target_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_a_used_or_forged_verification_link_says_so(register):
    register()
    token = emailed_link("/verify-email").split("token=")[1]
    page = browser()
    page.get(f"/verify-email?token={token}")
    post_form(page, "/verify-email", {"token": token})

    reopened = page.get(f"/verify-email?token={token}")
    again = post_form(page, "/verify-email", {"token": token})
    forged = post_form(page, "/verify-email", {"token": "not-a-token"})
    missing = page.get("/verify-email")

    for response in (reopened, again, forged):
        assert response.status_code == 400
        assert b"invalid, expired or was already used" in response.content
    assert missing.status_code == 400
    assert b"needs the link from the email" in missing.content


@pytest.mark.django_db
def test_the_verification_page_refuses_a_post_without_csrf(register):
    user = register()
    token = emailed_link("/verify-email").split("token=")[1]

    response = browser().post("/verify-email", {"token": token})

    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_verified is False


@pytest.mark.django_db
def test_the_reset_link_opens_a_form_that_sets_the_new_password(client, reset_requested):
    user = reset_requested
    link = emailed_link("/reset-password")
    page = browser()

    form = page.get(link)
    assert form.status_code == 200
    assert b'name="new_password"' in form.content

    done = post_form(
        page,
        "/reset-password",
        {
            "token": link.split("token=")[1],
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )

    assert done.status_code == 200
    assert b"Your password is changed" in done.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditLog.objects.filter(action="user.password_reset", target_id=str(user.pk)).exists()
    login = client.post(
        "/api/v1/auth/login",
        {"email": user.email, "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("new_password", "again", "message"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", b"The two passwords differ."),
        ("12345678", "12345678", b"This password is too common."),
    ],
)
def test_the_reset_form_explains_a_refused_password_and_changes_nothing(
    reset_requested, new_password, again, message
):
    user = reset_requested
    token = emailed_link("/reset-password").split("token=")[1]
    page = browser()
    page.get(f"/reset-password?token={token}")

    response = post_form(
        page,
        "/reset-password",
        {"token": token, "new_password": new_password, "new_password_again": again},
    )

    assert response.status_code == 400
    assert message in response.content
    assert b'name="new_password"' in response.content  # the form again
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_used_reset_link_shows_that_it_is_spent(reset_requested):
    user = reset_requested
    token = emailed_link("/reset-password").split("token=")[1]
    page = browser()
    page.get(f"/reset-password?token={token}")
    body = {"token": token, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    post_form(page, "/reset-password", body)

    reopened = page.get(f"/reset-password?token={token}")
    other = NEW_PASSWORD + "2"
    reposted = post_form(
        page, "/reset-password", {**body, "new_password": other, "new_password_again": other}
    )

    for response in (reopened, reposted):
        assert response.status_code == 400
        assert b"invalid, expired or was already used" in response.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_the_pages_are_rate_limited_per_ip_like_the_api(register, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_link_page_ip": "2/h"}
    register()
    page = browser()
    page.get(emailed_link("/verify-email"))

    answers = [post_form(page, "/verify-email", {"token": "x"}) for _ in range(3)]

    assert [a.status_code for a in answers] == [400, 400, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert b"Too many attempts" in answers[-1].content


@pytest.mark.django_db
def test_with_a_real_frontend_url_the_links_go_to_the_spa(
    settings, client, register, django_capture_on_commit_callbacks
):
    settings.FRONTEND_URL = "https://app.veza.example"
    register()
    user = UserFactory(verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/auth/password-reset", {"email": user.email}, "application/json")

    verify = next(m.body for m in mail.outbox if "/verify-email" in m.body)
    reset = next(m.body for m in mail.outbox if "/reset-password?token" in m.body)

    assert "https://app.veza.example/verify-email?token=" in verify
    assert "https://app.veza.example/reset-password?token=" in reset
    assert "localhost:8000" not in verify + reset
