"""Registration does not reveal which addresses have accounts.

A taken address gets the same 201 and body shape as a free one, built from the submitted
values, with no row created; its owner is emailed instead. Usernames are public: a taken one
is still a field error.
"""

from unittest import mock

import pytest
from django.contrib.auth import hashers
from django.core import mail

from apps.accounts.models import AuditLog, User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import assert_error

REGISTER = "/api/v1/auth/register"


def register(client, email, username, password="Zx9!long-pass"):  # noqa: S107
    return client.post(
        REGISTER, {"email": email, "username": username, "password": password}, format="json"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["sam@example.com", "SAM@Example.COM", "\u017fam@example.com"])
def test_a_taken_address_answers_like_a_free_one_and_emails_the_owner_instead(
    api_client, django_capture_on_commit_callbacks, typed
):
    owner = UserFactory(email="sam@example.com", username="owner", is_verified=True)

    with django_capture_on_commit_callbacks(execute=True):
        taken = register(api_client, typed, "newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        free = register(api_client, "fresh@example.com", "fresh")

    assert taken.status_code == free.status_code == 201
    taken_body, free_body = taken.json(), free.json()
    assert set(taken_body) == set(free_body)
    assert set(taken_body["profile"]) == set(free_body["profile"])
    pairs = ((taken_body, typed, "newcomer"), (free_body, "fresh@example.com", "fresh"))
    for body, email, username in pairs:
        assert body["email"] == User.objects.normalize_email(email)
        assert body["username"] == username
        assert body["role"] == "user"
        assert body["is_verified"] is False
        assert body["promoted_to_creator_at"] is None
        assert body["profile"] == {"display_name": "", "bio": "", "avatar": None, "country": ""}
    assert not User.objects.filter(pk=taken_body["id"]).exists()
    assert not User.objects.filter(username="newcomer").exists()
    assert User.objects.count() == 2
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert [m.to for m in mail.outbox] == [["sam@example.com"], ["fresh@example.com"]]
    assert mail.outbox[0].subject == (
        "Someone tried to create a Veza account with your email address"
    )
    assert "verify-email?token=" not in mail.outbox[0].body
    assert "verify-email?token=" in mail.outbox[1].body
    entry = AuditLog.objects.get(action="user.register_email_taken")
    assert (entry.actor_id, entry.target_id) == (None, str(owner.pk))
    assert AuditLog.objects.filter(action="user.register").count() == 1


@pytest.mark.django_db
def test_the_taken_path_still_hashes_the_password(api_client):
    UserFactory(email="sam@example.com")

    with mock.patch(
        "apps.accounts.services.registration.make_password", wraps=hashers.make_password
    ) as spy:
        response = register(api_client, "sam@example.com", "newcomer", "Zx9!long-pass")

    assert response.status_code == 201
    spy.assert_called_once_with("Zx9!long-pass")


@pytest.mark.django_db
def test_a_weak_password_is_refused_the_same_way_for_a_taken_and_a_free_address(api_client):
    UserFactory(email="sam@example.com")

    taken = register(api_client, "sam@example.com", "newcomer", "123")
    free = register(api_client, "fresh@example.com", "fresh", "123")

    taken_error = assert_error(taken, 400, "VALIDATION_ERROR")
    free_error = assert_error(free, 400, "VALIDATION_ERROR")
    assert set(taken_error["details"]) == set(free_error["details"]) == {"password"}
    assert User.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_taken_username_is_a_field_error_that_says_nothing_about_the_address(api_client):
    UserFactory(email="sam@example.com", username="owner")

    both_taken = register(api_client, "sam@example.com", "Owner")
    username_only = register(api_client, "fresh@example.com", "OWNER")

    for response in (both_taken, username_only):
        assert_error(
            response, 400, "VALIDATION_ERROR", details={"username": ["This username is taken."]}
        )
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_of_one_address_create_one_account_and_answer_alike(live_server):
    """Six simultaneous sign-ups with one address (different usernames): one account, six
    identical-looking 201s; the losers of the race take the taken-address path."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    barrier = threading.Barrier(6)

    def call(n):
        barrier.wait()
        return requests.post(
            f"{live_server.url}{REGISTER}",
            json={"email": "race@example.com", "username": f"racer{n}", "password": "Zx9!long"},
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(call, range(6)))

    assert [r.status_code for r in responses] == [201] * 6
    assert {frozenset(r.json()) for r in responses} == {
        frozenset(
            {"id", "email", "username", "role", "is_verified", "promoted_to_creator_at"}
            | {"date_joined", "profile"}
        )
    }
    assert User.objects.filter(email_normalized="race@example.com").count() == 1
    assert AuditLog.objects.filter(action="user.register").count() == 1
    assert AuditLog.objects.filter(action="user.register_email_taken").count() == 5
