"""Personal data in the operations console: staff act for a support request, audited."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.accounts.models import AuditLog
from apps.gdpr.models import AccountDeletion, DataExport, ExportStatus
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _action(admin_client, action, users, **extra):
    return admin_client.post(
        reverse("admin:gdpr_datasubject_changelist"),
        {"action": action, "_selected_action": [str(u.pk) for u in users], "index": "0", **extra},
        follow=True,
    )


def test_staff_start_an_export_for_a_support_request(
    admin_client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(is_verified=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = _action(admin_client, "start_export", [user])

    assert response.status_code == 200
    export = DataExport.objects.get(user=user)
    assert (export.requested_by_staff, export.status) == (staff_user, ExportStatus.READY)
    entry = AuditLog.objects.get(action="gdpr.export_request")
    assert (entry.actor, entry.metadata) == (
        staff_user,
        {"user_id": str(user.pk), "by_staff": True},
    )
    assert [mail.to for mail in mailoutbox] == [[user.email]]


def test_a_superuser_deletes_an_account_for_a_support_request(admin_client, staff_user):
    user = UserFactory(is_verified=True)

    response = _action(
        admin_client,
        "delete_keeping_public_tracks",
        [user],
        confirm="yes",
        reason="Support ticket 4411",
    )

    assert response.status_code == 200
    deletion = AccountDeletion.objects.get(user=user)
    assert (deletion.requested_by_staff, deletion.keep_public_tracks) == (staff_user, True)
    entry = AuditLog.objects.get(action="gdpr.account_delete")
    assert entry.actor == staff_user
    assert entry.metadata["by_staff"] is True
    assert entry.metadata["reason"] == "Support ticket 4411"
    user.refresh_from_db()
    assert user.is_active is False


def test_staff_who_are_not_superusers_cannot_delete_accounts(client):
    staff = UserFactory(is_verified=True, is_staff=True)
    staff.user_permissions.add(*_view_permission())
    client.force_login(staff)
    user = UserFactory(is_verified=True)

    response = _action(client, "delete_everything", [user])

    assert b"Only superusers may delete accounts." in response.content
    assert AccountDeletion.objects.count() == 0


def test_the_admin_lists_exports_and_deletions(admin_client):
    DataExport.objects.create(user=UserFactory(), status=ExportStatus.FAILED)

    exports = admin_client.get(reverse("admin:gdpr_dataexport_changelist"))
    deletions = admin_client.get(reverse("admin:gdpr_accountdeletion_changelist"))

    assert exports.status_code == 200
    assert b"Failed" in exports.content
    assert deletions.status_code == 200


def _view_permission():
    return Permission.objects.filter(
        content_type__app_label="gdpr", codename__in=["view_datasubject"]
    )
