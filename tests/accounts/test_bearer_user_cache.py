"""Bearer users kept per process (veza.api.bearer_users): never a revoked token past a write."""

from __future__ import annotations

import pytest
import requests
from django.db import connection

from apps.accounts.models import User
from apps.accounts.services import password_change
from apps.accounts.services.users import users_deactivate
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import assert_error, bearer_client
from tests.servers import gunicorn_server
from veza import versioned_cache
from veza.audit import RequestMeta

ME = "/api/v1/users/me"


def token_key(user) -> str:
    return f"auth:user:{user.pk}"


@pytest.mark.django_db
def test_a_known_bearer_is_not_read_again(django_assert_num_queries):
    user = UserFactory(verified=True)
    client = bearer_client(user)
    assert client.get(ME).status_code == 200

    with django_assert_num_queries(1):  # the profile /users/me shows; no user row
        assert client.get(ME).status_code == 200


@pytest.mark.django_db
def test_a_write_by_another_process_is_seen_once_its_token_moves():
    user = UserFactory(verified=True)
    client = bearer_client(user)
    assert client.get(ME).status_code == 200
    # Another process deactivated the account (raw SQL: nothing in this process saw it)...
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET is_active = false WHERE id = %s", [user.pk])
    assert client.get(ME).status_code == 200  # ...this process still trusts its copy

    versioned_cache.token_set(token_key(user), "bumped by that process's commit")

    assert_error(client.get(ME), 401, "INVALID_TOKEN")


@pytest.mark.django_db
def test_a_deactivation_by_queryset_update_ends_the_token_at_once(staff_user):
    user = UserFactory(verified=True)
    client = bearer_client(user)
    assert client.get(ME).status_code == 200

    users_deactivate(users=[user], actor=staff_user, meta=RequestMeta(), reason="abuse")

    assert client.get(ME).status_code == 401


@pytest.mark.django_db
def test_a_password_change_ends_the_older_tokens_at_once():
    user = UserFactory(verified=True)
    client = bearer_client(user)
    assert client.get(ME).status_code == 200

    changed = client.put(
        "/api/v1/users/me/password",
        {"current_password": PASSWORD, "new_password": "another-horse-battery-7"},
        format="json",
    )

    assert changed.status_code == 204
    assert_error(client.get(ME), 401, "INVALID_TOKEN")


@pytest.mark.django_db(transaction=True)
def test_updates_move_the_token_after_their_commit():
    user = UserFactory(verified=True)
    bearer_client(user).get(ME)
    before = versioned_cache.token(token_key(user))
    assert before is not None

    User.objects.filter(pk=user.pk).update(role="creator")

    assert versioned_cache.token(token_key(user)) not in (None, before)


@pytest.mark.django_db
def test_an_update_by_primary_key_costs_no_extra_query(django_assert_num_queries):
    users = UserFactory.create_batch(2)
    with django_assert_num_queries(1):
        User.objects.filter(pk=users[0].pk).update(username="renamed")
    with django_assert_num_queries(1):
        User.objects.filter(pk__in=[u.pk for u in users], is_active=True).update(is_verified=True)
    with django_assert_num_queries(2):  # any other filter: the rows are read first
        User.objects.filter(username="renamed").update(is_verified=False)


@pytest.mark.django_db
def test_an_update_by_another_filter_reports_the_rows_it_matched():
    user = UserFactory(verified=True, username="target")
    client = bearer_client(user)
    assert client.get(ME).status_code == 200

    User.objects.filter(username="target").update(is_active=False)

    assert client.get(ME).status_code == 401


@pytest.mark.django_db
def test_a_deleted_user_is_not_served_from_a_copy():
    user = UserFactory(verified=True)
    client = bearer_client(user)
    assert client.get(ME).status_code == 200

    User.objects.filter(pk=user.pk).delete()

    assert client.get(ME).status_code == 401


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_every_web_process_refuses_an_old_token_right_after_a_password_change():
    user = UserFactory(verified=True)
    old = bearer_client(user)._credentials["HTTP_AUTHORIZATION"]
    with gunicorn_server(workers=3) as base:
        for _ in range(30):  # every worker has read the user and keeps it
            assert requests.get(base + ME, headers={"Authorization": old}, timeout=30).ok

        # The change happens in another process (this one), as from another web worker.
        password_change(
            user=user,
            current_password=PASSWORD,
            new_password="another-horse-battery-7",
            keep_refresh=None,
            meta=RequestMeta(),
        )

        answers = [
            requests.get(base + ME, headers={"Authorization": old}, timeout=30).status_code
            for _ in range(30)
        ]
        deactivated = UserFactory(verified=True)
        other = bearer_client(deactivated)._credentials["HTTP_AUTHORIZATION"]
        for _ in range(30):
            assert requests.get(base + ME, headers={"Authorization": other}, timeout=30).ok
        User.objects.filter(pk=deactivated.pk).update(is_active=False)  # this process
        after = [
            requests.get(base + ME, headers={"Authorization": other}, timeout=30).status_code
            for _ in range(30)
        ]

    assert answers == [401] * 30
    assert after == [401] * 30
