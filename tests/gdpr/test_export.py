"""Data export (Art. 15/20): shared/API.md "Personal data (GDPR)"."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.accounts.services import api_key_create
from apps.gdpr import services
from apps.gdpr.models import DataExport, ExportStatus
from apps.gdpr.services.archive import FORMAT_VERSION
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.gdpr.factories import DataExportFactory, archive_of, error_code, footprint, jsonl
from veza.audit import RequestMeta

pytestmark = pytest.mark.django_db

#: Every domain on this branch, one file each, with the footprint's record counts
#: (shared/API.md "Personal data (GDPR)"); the audit log's count depends on the services.
DOMAIN_FILES = {
    "profile.jsonl": 1,
    "account_security.jsonl": 3,  # 2FA status, one API key, one OAuth link
    "tracks.jsonl": 3,  # public, private, and the one distributed to Spotify
    "playlists.jsonl": 1,
    "library.jsonl": 1,
    "follows.jsonl": 2,
    "playback_history.jsonl": 3,
    "subscriptions.jsonl": 1,
    "invoices.jsonl": 1,
    "messages.jsonl": 2,
    "blocks.jsonl": 1,
    "enrollments.jsonl": 1,
    "certificates.jsonl": 1,
    "course_reviews.jsonl": 1,
    "courses_taught.jsonl": 1,
    "distributions.jsonl": 1,
    "royalties.jsonl": 1,
    "webhooks.jsonl": 2,  # one endpoint, one event
}


def _export(user, django_capture_on_commit_callbacks) -> DataExport:
    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(user).post("/api/v1/users/me/export")
    assert response.status_code == 202
    return DataExport.objects.get(pk=response.json()["id"])


def test_requesting_an_export_answers_202_with_its_id_and_status(user):
    response = bearer_client(user).post("/api/v1/users/me/export")

    assert response.status_code == 202
    export = DataExport.objects.get()
    assert response.json() == {"id": str(export.pk), "status": "pending"}
    assert (export.user, export.requested_by_staff) == (user, None)
    entry = AuditLog.objects.get(action="gdpr.export_request")
    assert (entry.actor, entry.target_id) == (user, str(export.pk))


def test_the_archive_holds_every_domain_checked_against_its_manifest(
    django_capture_on_commit_callbacks,
):
    data = footprint()

    export = _export(data.user, django_capture_on_commit_callbacks)

    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    archive = archive_of(export)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["user_id"] == str(data.user.pk)
    assert manifest["cut_off"] == export.started_at.isoformat()
    listed = {entry["name"]: entry for entry in manifest["files"]}
    for name, entry in listed.items():
        content = archive.read(name)
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], name
        assert len(content) == entry["bytes"], name
        if entry["records"] is not None:
            assert len(content.decode().splitlines()) == entry["records"], name
    records = {name: entry["records"] for name, entry in listed.items() if name.endswith(".jsonl")}
    audit_entries = records.pop("audit_log.jsonl")
    assert records == DOMAIN_FILES
    assert audit_entries >= 2  # the 2FA-free login above and the export request
    security = jsonl(archive, "account_security.jsonl")
    assert security[0] == {"type": "two_factor", "enabled": True, "backup_codes": True}
    assert [row["type"] for row in security[1:]] == ["api_key", "oauth_link"]
    assert "secret_hash" not in security[1]
    profile = jsonl(archive, "profile.jsonl")[0]
    assert (profile["email"], profile["display_name"], profile["bio"]) == (
        "jane.doe@example.com",
        "Jane Doe",
        "Bass player from Lyon",
    )
    tracks = {row["title"]: row for row in jsonl(archive, "tracks.jsonl")}
    assert archive.read(tracks["Jane public"]["audio_file"]) == b"public-audio-bytes"
    assert archive.read(tracks["Jane private"]["audio_file"]) == b"private-audio-bytes"
    assert profile["avatar"] == "profile/jane.png"
    assert archive.read("profile/jane.png") == b"\x89PNG jane"
    readme = archive.read("README.txt").decode()
    for name in [*DOMAIN_FILES, "audit_log.jsonl"]:
        assert name in readme
    hooks = jsonl(archive, "webhooks.jsonl")
    assert [row["type"] for row in hooks] == ["endpoint", "event"]
    assert (hooks[0]["url"], hooks[0]["description"]) == (
        "https://jane.example/hooks",
        "Jane's shop",
    )
    assert not {"secret", "previous_secret"} & set(hooks[0])


def test_the_archive_shows_nothing_of_other_people_but_display_name_and_id(
    django_capture_on_commit_callbacks,
):
    data = footprint()

    export = _export(data.user, django_capture_on_commit_callbacks)

    archive = archive_of(DataExport.objects.get(pk=export.pk))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (
        data.other.email,
        data.other.username,
        data.stranger.email,
        data.stranger.username,
        data.strangers_message.body,
    ):
        assert secret.encode() not in everything
    messages = {row["body"]: row for row in jsonl(archive, "messages.jsonl")}
    assert messages["Hi Jane, Other here"]["sender"] == {
        "id": str(data.other.pk),
        "display_name": "Other Person",
    }
    assert messages["Hi from Jane"]["from_you"] is True


def test_the_owner_is_emailed_a_link_when_the_export_is_ready(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    export = _export(user, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert mailoutbox[0].subject == "Your Veza data export is ready"
    assert f"/api/v1/users/me/exports/{export.pk}/download" in mailoutbox[0].body


def test_the_owner_downloads_the_zip(user, django_capture_on_commit_callbacks):
    export = _export(user, django_capture_on_commit_callbacks)
    export.refresh_from_db()

    response = bearer_client(user).get(f"/api/v1/users/me/exports/{export.pk}/download")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == export.sha256
    assert len(body) == export.size


def test_another_user_cannot_download_someone_elses_export(
    user, django_capture_on_commit_callbacks
):
    export = _export(user, django_capture_on_commit_callbacks)

    response = bearer_client(UserFactory(is_verified=True)).get(
        f"/api/v1/users/me/exports/{export.pk}/download"
    )

    assert (response.status_code, error_code(response)) == (404, "NOT_FOUND")


def test_an_export_still_building_cannot_be_downloaded(user):
    export = DataExportFactory(user=user, status=ExportStatus.PROCESSING)

    response = bearer_client(user).get(f"/api/v1/users/me/exports/{export.pk}/download")

    assert (response.status_code, error_code(response)) == (409, "EXPORT_NOT_READY")


def test_an_expired_export_is_refused_and_the_beat_job_deletes_its_file(
    user, django_capture_on_commit_callbacks
):
    export = _export(user, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.expires_at == export.finished_at + timedelta(days=7)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(1))

    refused = bearer_client(user).get(f"/api/v1/users/me/exports/{export.pk}/download")
    expired = services.exports_expire()
    again = services.exports_expire()

    assert (refused.status_code, error_code(refused)) == (404, "NOT_FOUND")
    assert (expired, again) == (1, 0)
    assert not default_storage.exists(export.file)
    export.refresh_from_db()
    assert (export.status, export.file) == (ExportStatus.EXPIRED, "")


def test_the_fourth_export_in_24_hours_is_rate_limited(user):
    client = bearer_client(user)
    now = timezone.now()
    DataExportFactory(user=user, created_at=now - timedelta(hours=23), status="ready")
    DataExportFactory(user=user, created_at=now - timedelta(hours=1), status="ready")
    DataExportFactory(user=user, created_at=now - timedelta(hours=25), status="ready")

    third = client.post("/api/v1/users/me/export")
    fourth = client.post("/api/v1/users/me/export")

    assert third.status_code == 202
    assert (fourth.status_code, error_code(fourth)) == (429, "RATE_LIMITED")
    assert 3595 <= int(fourth["Retry-After"]) <= 3600
    assert DataExport.objects.filter(user=user).count() == 4


def test_failed_exports_do_not_count_against_the_quota(user):
    for _ in range(3):
        DataExportFactory(user=user, status=ExportStatus.FAILED)

    response = bearer_client(user).post("/api/v1/users/me/export")

    assert response.status_code == 202


def test_staff_started_exports_do_not_count_against_the_quota(user, staff_user):
    for _ in range(3):
        services.export_request(user=user, staff=staff_user)

    response = bearer_client(user).post("/api/v1/users/me/export")

    assert response.status_code == 202


def test_an_export_whose_worker_was_lost_is_built_again_by_the_sweeper(
    user, django_capture_on_commit_callbacks
):
    now = timezone.now()
    stuck = DataExportFactory(
        user=user,
        status="processing",
        started_at=now - timedelta(hours=2),
        attempts=1,
        deadline=now - timedelta(seconds=1),
    )
    busy = DataExportFactory(
        user=user,
        status="processing",
        started_at=now - timedelta(minutes=5),
        attempts=1,
        deadline=now + timedelta(minutes=5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.exports_requeue_stalled(now=now)

    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0}
    assert (stuck.status, stuck.attempts) == (ExportStatus.READY, 2)
    assert default_storage.exists(stuck.file)
    assert (busy.status, busy.attempts) == (ExportStatus.PROCESSING, 1)
    assert AuditLog.objects.filter(action="gdpr.export.requeued", target_id=str(stuck.pk)).exists()


def test_an_export_that_keeps_losing_its_worker_is_failed_and_frees_its_quota_slot(user, settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    now = timezone.now()
    stuck = DataExportFactory(
        user=user, status="processing", attempts=3, deadline=now - timedelta(seconds=1)
    )

    counts = services.exports_requeue_stalled(now=now)

    stuck.refresh_from_db()
    assert counts == {"requeued": 0, "failed": 1}
    assert (stuck.status, stuck.finished_at) == (ExportStatus.FAILED, now)
    assert stuck.failure_reason == (
        "Started 3 times without finishing: its worker was lost or ran out of time."
    )


def test_an_export_never_started_is_sent_again_after_the_queue_timeout(
    user, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_QUEUE_TIMEOUT_SECONDS = 900
    now = timezone.now()
    lost = DataExportFactory(user=user, created_at=now - timedelta(seconds=901))
    queued = DataExportFactory(user=user, created_at=now - timedelta(seconds=899))

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.exports_requeue_stalled(now=now)

    assert counts == {"requeued": 1, "failed": 0}
    assert DataExport.objects.get(pk=lost.pk).status == ExportStatus.READY
    assert DataExport.objects.get(pk=queued.pk).status == ExportStatus.PENDING


def test_a_second_delivery_of_a_running_export_does_nothing(user):
    now = timezone.now()
    running = DataExportFactory(
        user=user, status="processing", attempts=1, deadline=now + timedelta(minutes=1)
    )

    assert services.export_process(export_id=running.pk) is None

    running.refresh_from_db()
    assert (running.status, running.attempts) == (ExportStatus.PROCESSING, 1)


def test_a_failing_export_is_marked_failed_and_frees_its_quota_slot(user, monkeypatch):
    export = DataExportFactory(user=user)

    def explode(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("apps.gdpr.services.exports.archive_build", explode)

    services.export_process(export_id=export.pk)

    export.refresh_from_db()
    assert (export.status, export.failure_reason) == (ExportStatus.FAILED, "OSError")


def test_building_twice_does_nothing_the_second_time(user, django_capture_on_commit_callbacks):
    export = _export(user, django_capture_on_commit_callbacks)
    export.refresh_from_db()

    again = services.export_process(export_id=export.pk)

    assert again is None
    assert DataExport.objects.get(pk=export.pk).file == export.file


def test_the_list_shows_the_callers_exports_newest_first(user):
    older = DataExportFactory(user=user, created_at=timezone.now() - timedelta(hours=2))
    newer = DataExportFactory(user=user)
    DataExportFactory()

    response = bearer_client(user).get("/api/v1/users/me/exports")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(newer.pk), str(older.pk)]
    assert response.json()["results"][0] == {
        "id": str(newer.pk),
        "status": "pending",
        "created_at": newer.created_at.isoformat().replace("+00:00", "Z"),
        "finished_at": None,
        "expires_at": None,
        "size": 0,
    }


@pytest.mark.parametrize("rows", [1, 20])
def test_listing_exports_takes_the_same_queries_for_1_and_20(user, rows, django_assert_num_queries):
    for _ in range(rows):
        DataExportFactory(user=user)
    client = bearer_client(user)

    with django_assert_num_queries(3):  # session user, count, page
        response = client.get("/api/v1/users/me/exports")

    assert len(response.json()["results"]) == rows


def test_an_api_key_cannot_request_or_download_an_export(user, api_client):
    export = DataExportFactory(user=user, status=ExportStatus.READY)
    _, secret = api_key_create(user=user, name="ci", scopes=["admin"], meta=RequestMeta())
    api_client.credentials(HTTP_X_API_KEY=secret)

    requested = api_client.post("/api/v1/users/me/export")
    downloaded = api_client.get(f"/api/v1/users/me/exports/{export.pk}/download")

    assert (requested.status_code, error_code(requested)) == (403, "API_KEY_NOT_ALLOWED")
    assert (downloaded.status_code, error_code(downloaded)) == (403, "API_KEY_NOT_ALLOWED")
    assert DataExport.objects.count() == 1


def test_exports_need_a_login(api_client):
    response = api_client.post("/api/v1/users/me/export")

    assert (response.status_code, error_code(response)) == (401, "AUTHENTICATION_REQUIRED")


def test_a_client_asking_for_a_zip_gets_errors_as_json(user):
    response = bearer_client(user).get(
        "/api/v1/users/me/exports/00000000-0000-0000-0000-000000000000/download",
        HTTP_ACCEPT="application/zip",
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_code(response) == "NOT_FOUND"


def test_a_client_asking_for_a_zip_gets_the_zip(user, django_capture_on_commit_callbacks):
    export = _export(user, django_capture_on_commit_callbacks)

    response = bearer_client(user).get(
        f"/api/v1/users/me/exports/{export.pk}/download", HTTP_ACCEPT="application/zip"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
