"""Distribution and royalties in the operations console: history inline, audited status
override, the report upload page with its result, the unmatched-lines queue."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import AuditLog
from apps.distribution.models import PlatformRelease, RoyaltyImport, RoyaltyLine, StatusChange
from tests.distribution.factories import (
    DistributableTrackFactory,
    import_report,
    paid_creator,
    release_in,
    report,
    report_line,
    with_isrc,
)


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_a_distribution_page_shows_its_platforms_and_history(admin_client):
    release = release_in("processing")

    response = admin_client.get(
        reverse("admin:distribution_distribution_change", args=[release.distribution_id])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "processing" in page
    assert "Submitted by the owner." in page  # the history row of the submission


@pytest.mark.django_db
def test_staff_override_a_status_with_a_reason_through_the_audited_service(
    admin_client, staff_user
):
    release = release_in("processing")

    response = admin_client.post(
        reverse("admin:distribution_platformrelease_changelist"),
        {
            "action": "override_status",
            "_selected_action": [str(release.pk)],
            "to_status": "rejected",
            "reason": "Explicit cover",
            "index": "0",
        },
        follow=True,
    )

    assert response.status_code == 200
    release.refresh_from_db()
    assert (release.status, release.status_reason) == ("rejected", "Explicit cover")
    change = StatusChange.objects.get(release=release, to_status="rejected")
    assert (change.source, change.actor_id) == ("staff", staff_user.pk)
    assert AuditLog.objects.filter(action="distribution.status_override").count() == 1


@pytest.mark.django_db
def test_an_override_without_a_reason_or_outside_the_table_changes_nothing(admin_client):
    release = release_in("live")
    url = reverse("admin:distribution_platformrelease_changelist")

    for data in ({"to_status": "rejected", "reason": ""}, {"to_status": "pending", "reason": "x"}):
        admin_client.post(
            url,
            {"action": "override_status", "_selected_action": [str(release.pk)], "index": "0"}
            | data,
            follow=True,
        )

    assert PlatformRelease.objects.get(pk=release.pk).status == "live"
    assert not AuditLog.objects.filter(action="distribution.status_override").exists()


@pytest.mark.django_db
def test_the_upload_page_imports_a_report_and_shows_the_result(admin_client, staff_user):
    content = report(report_line("FRZ032600001", "1.00"), report_line("BAD", "1.00"))
    url = reverse("admin:distribution_royaltyimport_upload")

    page = admin_client.get(url)
    first = admin_client.post(url, {"file": SimpleUploadedFile("march.tsv", content)})
    again = admin_client.post(url, {"file": SimpleUploadedFile("march.tsv", content)})

    assert page.status_code == 200
    assert first.status_code == 200
    html = first.content.decode()
    assert "Imported" in html
    assert "<tr><th>Imported</th><td>1</td></tr>" in html
    assert "<tr><th>Unmatched ISRCs</th><td>1" in html
    assert "<tr><th>Errors</th><td>1</td></tr>" in html
    assert "Not an ISRC" in html
    assert "nothing was added" in again.content.decode()
    record = RoyaltyImport.objects.get()
    assert record.imported_by_id == staff_user.pk


@pytest.mark.django_db
def test_the_unmatched_queue_assigns_lines_to_a_track(admin_client):
    with_isrc(DistributableTrackFactory(owner=paid_creator()), "FRZ032600001")
    import_report(report(report_line("FRZ032600009", "3.00"), report_line("FRZ032600001")))
    line = RoyaltyLine.objects.get(isrc="FRZ032600009")
    track = DistributableTrackFactory(owner=paid_creator())

    queue = admin_client.get(
        reverse("admin:distribution_royaltyline_changelist") + "?payee__isempty=1"
    )
    admin_client.post(
        reverse("admin:distribution_royaltyline_changelist"),
        {
            "action": "assign_to_track",
            "_selected_action": [str(line.pk)],
            "track": str(track.pk),
            "index": "0",
        },
        follow=True,
    )

    assert queue.status_code == 200
    assert "FRZ032600009" in queue.content.decode()
    assert "FRZ032600001" not in queue.content.decode()  # matched at import
    line.refresh_from_db()
    assert line.track_id == track.pk
    assert (line.payee_id, line.is_split) == (track.owner_id, False)
