"""POST /api/v1/users/me/upgrade-creator: each situation of the contract's table, plus the race
with a concurrent admin assignment.

Contract: shared/API.md "POST /api/v1/users/me/upgrade-creator".
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import AuditLog, Role, User
from apps.accounts.services import user_role_assign
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error
from veza.audit import RequestMeta, audit_record

URL = "/api/v1/users/me/upgrade-creator"


@pytest.mark.django_db
def test_verified_user_upgrades_to_creator_with_timestamp():
    user = UserFactory(verified=True)
    client = bearer_client(user)
    before = timezone.now()

    response = client.post(URL, HTTP_USER_AGENT="pytest-agent", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "creator"
    assert body["already_elevated"] is False
    user.refresh_from_db()
    assert user.role == Role.CREATOR
    assert user.promoted_to_creator_at is not None
    assert user.promoted_to_creator_at >= before
    assert body["promoted_to_creator_at"] == user.promoted_to_creator_at.isoformat().replace(
        "+00:00", "Z"
    )
    entry = AuditLog.objects.get(action="user.upgrade_creator")
    assert entry.actor_id == user.pk
    assert entry.target_id == str(user.pk)
    assert entry.metadata == {"from_role": "user", "to_role": "creator"}
    assert entry.ip_address == "10.1.2.3"
    assert entry.user_agent == "pytest-agent"


@pytest.mark.django_db
def test_unverified_user_cannot_upgrade_to_creator():
    user = UserFactory(is_verified=False)

    response = bearer_client(user).post(URL)

    assert_error(response, 403, "EMAIL_NOT_VERIFIED")
    user.refresh_from_db()
    assert user.role == Role.USER
    assert user.promoted_to_creator_at is None
    assert not AuditLog.objects.filter(action="user.upgrade_creator").exists()


@pytest.mark.django_db
def test_already_creator_is_idempotent_and_keeps_its_timestamp():
    promoted_at = timezone.now() - timezone.timedelta(days=3)
    user = UserFactory(creator=True, promoted_to_creator_at=promoted_at)

    response = bearer_client(user).post(URL)

    assert response.status_code == 200
    assert response.json() == {
        "role": "creator",
        "promoted_to_creator_at": promoted_at.isoformat().replace("+00:00", "Z"),
        "already_elevated": True,
    }
    user.refresh_from_db()
    assert user.promoted_to_creator_at == promoted_at
    assert not AuditLog.objects.filter(action="user.upgrade_creator").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["premium", "moderator", "admin", "artist", "producer", "label"])
def test_admin_assigned_role_is_idempotent_and_writes_no_timestamp(role):
    user = UserFactory(verified=True, role=role)

    response = bearer_client(user).post(URL)

    assert response.status_code == 200
    assert response.json() == {
        "role": role,
        "promoted_to_creator_at": None,
        "already_elevated": True,
    }
    user.refresh_from_db()
    assert user.role == role
    assert user.promoted_to_creator_at is None


@pytest.mark.django_db
def test_upgrade_of_a_deleted_account_answers_not_found():
    user = UserFactory(verified=True)
    client = APIClient()
    client.force_authenticate(user=user)
    User.objects.filter(pk=user.pk).delete()

    response = client.post(URL)

    assert_error(response, 404, "NOT_FOUND")
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_upgrade_without_authentication_is_refused():
    response = APIClient().post(URL)

    assert_error(response, 401, "AUTHENTICATION_REQUIRED")


@pytest.mark.django_db
def test_failing_audit_write_does_not_fail_the_upgrade(monkeypatch):
    user = UserFactory(verified=True)

    def broken_create(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(AuditLog.objects, "create", broken_create)
    response = bearer_client(user).post(URL)

    assert response.status_code == 200
    assert response.json()["role"] == "creator"
    user.refresh_from_db()
    assert user.role == Role.CREATOR


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not enforce lengths")
@pytest.mark.django_db
def test_audit_record_never_raises_and_leaves_the_callers_transaction_usable():
    user = UserFactory(verified=True)

    entry = audit_record(action="x" * 500, actor=user)  # too long for the column: DataError

    assert entry is None
    assert AuditLog.objects.count() == 0  # the surrounding transaction still answers
    assert audit_record(action="user.after_failure", actor=user) is not None


@pytest.mark.django_db
def test_session_authenticated_upgrade_needs_csrf():
    user = UserFactory(verified=True)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(URL)

    assert_error(response, 403, "PERMISSION_DENIED")
    user.refresh_from_db()
    assert user.role == Role.USER


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_parallel_upgrades_never_lose_a_concurrent_admin_assignment(live_server, attempt):
    """Eight parallel upgrade requests race one admin assignment to ``moderator``.

    Whatever the interleaving, the admin's role stands, at most one request reports the
    upgrade, and the timestamp is written at most once (and equals what that request returned).
    """
    user = UserFactory(verified=True)
    staff = UserFactory(verified=True, is_staff=True)
    access = str(bearer_client(user)._credentials["HTTP_AUTHORIZATION"])
    start = threading.Barrier(9)

    def upgrade():
        start.wait()
        return requests.post(
            live_server.url + URL, headers={"Authorization": access}, timeout=30
        ).json()

    def assign():
        start.wait()
        user_role_assign(
            user=User.objects.get(pk=user.pk), role=Role.MODERATOR, actor=staff, meta=RequestMeta()
        )
        connection.close()

    with ThreadPoolExecutor(max_workers=9) as pool:
        futures = [pool.submit(upgrade) for _ in range(8)]
        admin_future = pool.submit(assign)
        bodies = [future.result() for future in futures]
        admin_future.result()

    user.refresh_from_db()
    assert user.role == Role.MODERATOR
    winners = [body for body in bodies if body["already_elevated"] is False]
    assert len(winners) <= 1
    assert all(body["role"] in ("creator", "moderator") for body in bodies)
    assert AuditLog.objects.filter(action="user.upgrade_creator").count() == len(winners)
    if winners:
        assert user.promoted_to_creator_at is not None
        assert winners[0][
            "promoted_to_creator_at"
        ] == user.promoted_to_creator_at.isoformat().replace("+00:00", "Z")
    else:
        assert user.promoted_to_creator_at is None
    assert AuditLog.objects.filter(action="user.role_change", target_id=str(user.pk)).exists()
