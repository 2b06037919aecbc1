"""Reports from listeners; the admin's report queue hides, takes down, restores, dismisses."""

import pytest
from django.urls import reverse

from apps.accounts.models import AuditLog
from apps.catalog.models import Report, Track
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client


@pytest.mark.django_db
def test_listener_reports_a_track_once():
    track = TrackFactory()
    reporter = UserFactory(is_verified=True)
    client = bearer_client(reporter)
    url = f"/api/v1/tracks/{track.pk}/report"

    first = client.post(url, {"reason": "copyright", "details": "my song"}, format="json")
    again = client.post(url, {"reason": "spam"}, format="json")

    assert first.status_code == 201
    assert first.json()["status"] == "open"
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    report = Report.objects.get()
    assert (report.reason, report.details, report.reporter_id) == (
        "copyright",
        "my song",
        reporter.pk,
    )
    assert AuditLog.objects.filter(action="track.report").count() == 1


@pytest.mark.django_db
def test_reporting_needs_login_and_a_valid_reason(api_client):
    track = TrackFactory()
    assert (
        api_client.post(f"/api/v1/tracks/{track.pk}/report", {"reason": "spam"}).status_code == 401
    )
    client = bearer_client(UserFactory(is_verified=True))
    response = client.post(f"/api/v1/tracks/{track.pk}/report", {"reason": "meh"}, format="json")
    assert response.status_code == 400
    assert Report.objects.count() == 0


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _act(admin_client, model, action, pks, **extra):
    url = reverse(f"admin:catalog_{model}_changelist")
    return admin_client.post(
        url, {"action": action, "_selected_action": [str(pk) for pk in pks], **extra}, follow=True
    )


@pytest.mark.django_db
def test_report_queue_take_down_removes_the_track_everywhere_and_is_audited(
    admin_client, staff_user, api_client
):
    track = TrackFactory()
    report = Report.objects.create(track=track, reporter=UserFactory(), reason="copyright")

    queue = admin_client.get(reverse("admin:catalog_report_changelist"))
    assert queue.status_code == 200
    assert track.title in queue.content.decode()

    response = _act(
        admin_client, "report", "take_down_track", [report.pk], confirm="yes", reason="DMCA notice"
    )

    assert response.status_code == 200
    track.refresh_from_db()
    report.refresh_from_db()
    assert track.moderation_status == "taken_down"
    assert (report.status, report.resolution, report.resolved_by_id) == (
        "actioned",
        "take_down",
        staff_user.pk,
    )
    entry = AuditLog.objects.get(action="track.moderation.take_down")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata["from"] == "active"
    assert entry.metadata["reports_closed"] == 1
    assert entry.metadata["reason"] == "DMCA notice"
    assert api_client.get("/api/v1/tracks").json()["count"] == 0
    assert api_client.get(f"/api/v1/tracks/{track.pk}").status_code == 404
    assert api_client.get(f"/api/v1/tracks/{track.pk}/stream").status_code == 404

    _act(admin_client, "track", "restore_tracks", [track.pk])
    assert Track.objects.get(pk=track.pk).moderation_status == "active"
    assert api_client.get(f"/api/v1/tracks/{track.pk}/stream").status_code == 200
    assert AuditLog.objects.filter(action="track.moderation.restore").count() == 1


@pytest.mark.django_db
def test_hide_keeps_the_track_for_its_owner_only(admin_client, api_client):
    track = TrackFactory()
    _act(admin_client, "track", "hide_tracks", [track.pk], confirm="yes", reason="Spam")
    assert Track.objects.get(pk=track.pk).moderation_status == "hidden"
    assert api_client.get("/api/v1/tracks").json()["count"] == 0
    assert api_client.get(f"/api/v1/tracks/{track.pk}/stream").status_code == 404
    assert bearer_client(track.owner).get(f"/api/v1/tracks/{track.pk}/stream").status_code == 200
    assert AuditLog.objects.filter(action="track.moderation.hide").count() == 1


@pytest.mark.django_db
def test_dismiss_closes_reports_and_leaves_the_track(admin_client, staff_user):
    track = TrackFactory()
    report = Report.objects.create(track=track, reporter=UserFactory(), reason="spam")

    _act(admin_client, "report", "dismiss_reports", [report.pk])

    report.refresh_from_db()
    assert (report.status, report.resolved_by_id) == ("dismissed", staff_user.pk)
    assert Track.objects.get(pk=track.pk).moderation_status == "active"
    assert AuditLog.objects.get(action="report.dismiss").target_id == str(report.pk)


@pytest.mark.django_db
def test_non_staff_cannot_reach_the_moderation_queue(client):
    client.force_login(UserFactory(is_verified=True))
    response = client.get(reverse("admin:catalog_report_changelist"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_staff_read_a_report_but_cannot_edit_add_or_delete_one(admin_client):
    report = Report.objects.create(
        track=TrackFactory(), reporter=UserFactory(is_verified=True), reason="spam"
    )

    page = admin_client.get(reverse("admin:catalog_report_change", args=[report.pk]))
    edit = admin_client.post(
        reverse("admin:catalog_report_change", args=[report.pk]), {"details": "changed"}
    )
    add = admin_client.get(reverse("admin:catalog_report_add"))
    delete = admin_client.post(
        reverse("admin:catalog_report_delete", args=[report.pk]), {"post": "yes"}
    )

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert edit.status_code == 403
    assert add.status_code == 403
    assert delete.status_code == 403
    report.refresh_from_db()
    assert report.details == ""
