"""The admin is the operations console: users and the audit log."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import AuditLog, Role, User
from tests.accounts.factories import UserFactory


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _change_form_data(user, **overrides):
    data = {
        "email": user.email,
        "username": user.username,
        "role": user.role,
        "is_verified": "on" if user.is_verified else "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(user.profile.pk),
        "profile-0-user": str(user.pk),
        "profile-0-display_name": user.profile.display_name,
        "profile-0-bio": "",
        "profile-0-country": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.django_db
def test_role_change_in_the_admin_is_audited_and_keeps_the_promotion_timestamp(
    admin_client, staff_user
):
    promoted = timezone.now()
    user = UserFactory(creator=True, promoted_to_creator_at=promoted)

    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        _change_form_data(user, role="label"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.role == Role.LABEL
    assert user.promoted_to_creator_at == promoted
    entry = AuditLog.objects.get(action="user.role_change")
    assert entry.actor_id == staff_user.pk
    assert entry.target_id == str(user.pk)
    assert entry.metadata == {"from_role": "creator", "to_role": "label"}


@pytest.mark.django_db
def test_user_list_shows_role_columns_and_filters(admin_client):
    UserFactory(email="findme@example.com", role=Role.CREATOR, is_verified=True)
    UserFactory(email="other@example.com")

    response = admin_client.get(
        reverse("admin:accounts_user_changelist"), {"role__exact": "creator", "q": "findme"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "findme@example.com" in content
    assert "other@example.com" not in content
    assert "Promoted to creator at" in content


@pytest.mark.django_db
def test_mark_verified_action_is_audited(admin_client):
    user = UserFactory(is_verified=False)

    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "mark_verified", "_selected_action": [str(user.pk)]},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_verified is True
    assert AuditLog.objects.filter(
        action="user.verify_email_by_staff", target_id=str(user.pk)
    ).exists()


@pytest.mark.django_db
def test_audit_log_is_read_only_in_the_admin(admin_client):
    UserFactory()
    AuditLog.objects.create(action="user.register", actor_label="a@example.com")
    entry = AuditLog.objects.get()

    listing = admin_client.get(
        reverse("admin:accounts_auditlog_changelist"), {"action": "user.register"}
    )
    add = admin_client.get(reverse("admin:accounts_auditlog_add"))
    delete = admin_client.post(
        reverse("admin:accounts_auditlog_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert "user.register" in listing.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_non_staff_cannot_open_the_admin(client):
    user = UserFactory(verified=True)
    client.force_login(user)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert User.objects.filter(pk=user.pk, is_staff=False).exists()
