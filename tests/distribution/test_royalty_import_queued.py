"""Big royalty reports are imported in the background (shared/API.md, POST
/api/v1/royalties/import and GET /api/v1/royalties/imports/{id}): above
``ROYALTY_IMPORT_SYNC_MAX_BYTES`` the report is stored, queued (202 + Location) and imported by
a job of ``veza.jobs``; small ones stay synchronous. The same file is still imported once."""

import io
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.distribution import services
from apps.distribution.models import ImportStatus, RoyaltyImport, RoyaltyLine
from tests.conftest import bearer_client, staff_bearer_client
from tests.distribution.factories import (
    DistributableTrackFactory,
    paid_creator,
    report,
    report_line,
    with_isrc,
)

URL = "/api/v1/royalties/import"
ISRC = "FRZ032600001"
OTHER_ISRC = "FRZ032600002"
CONTENT = report(
    report_line(ISRC, "1.25"),
    report_line(ISRC, "0.50", store="Deezer"),
    report_line(OTHER_ISRC, "2.00"),
)
#: The counts of CONTENT once imported, as the synchronous import answers them.
CONTENT_COUNTS = {
    "lines_total": 3,
    "lines_imported": 3,
    "lines_duplicate": 0,
    "lines_unmatched": 1,
    "lines_error": 0,
    "errors": [],
}


def _upload(client, content: bytes, name="report.tsv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")


def _detail(record_id) -> str:
    return f"/api/v1/royalties/imports/{record_id}"


def _stored_reports() -> list[str]:
    if not default_storage.exists("royalties/imports"):
        return []
    found = []
    years, _ = default_storage.listdir("royalties/imports")
    for year in years:
        months, _ = default_storage.listdir(f"royalties/imports/{year}")
        for month in months:
            _, files = default_storage.listdir(f"royalties/imports/{year}/{month}")
            found += [f"royalties/imports/{year}/{month}/{name}" for name in files]
    return found


@pytest.fixture
def small_sync_limit(settings):
    """Every report bigger than 64 bytes is "big" (CONTENT is a few hundred)."""
    settings.ROYALTY_IMPORT_SYNC_MAX_BYTES = 64
    return settings


@pytest.fixture
def owned_track(db):
    return with_isrc(DistributableTrackFactory(owner=paid_creator()), ISRC)


@pytest.mark.django_db
def test_a_report_over_the_limit_is_queued_then_imported_by_a_task(
    staff_user, owned_track, small_sync_limit, django_capture_on_commit_callbacks
):
    client = staff_bearer_client(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, CONTENT)

    assert response.status_code == 202, response.content
    body = response.json()
    record = RoyaltyImport.objects.get()
    assert body["id"] == str(record.pk)
    assert (body["status"], body["error"], body["lines_total"]) == ("queued", None, 0)
    assert body["already_imported"] is False
    assert response["Location"] == f"http://testserver{_detail(record.pk)}"
    # Imported by the (eager) task after commit: lines, counts, done, the report deleted.
    assert (record.status, record.attempts, record.file) == (ImportStatus.DONE, 1, "")
    assert record.imported_by == staff_user
    assert record.started_at is not None
    assert record.finished_at is not None
    assert RoyaltyLine.objects.filter(royalty_import=record).count() == 3
    assert _stored_reports() == []
    assert AuditLog.objects.get(action="royalty.import_queued").actor == staff_user
    imported = AuditLog.objects.get(action="royalty.import")
    assert (imported.actor, imported.metadata["imported"]) == (staff_user, 3)

    status = client.get(_detail(record.pk))

    assert status.status_code == 200
    shown = status.json()
    assert {key: shown[key] for key in CONTENT_COUNTS} == CONTENT_COUNTS
    assert (shown["status"], shown["error"], shown["size"]) == ("done", None, len(CONTENT))
    assert shown["file_name"] == "report.tsv"


@pytest.mark.django_db
def test_a_report_up_to_the_limit_is_still_imported_within_the_request(
    staff_user, owned_track, settings
):
    settings.ROYALTY_IMPORT_SYNC_MAX_BYTES = len(CONTENT)

    response = _upload(staff_bearer_client(staff_user), CONTENT)

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in CONTENT_COUNTS} == CONTENT_COUNTS
    assert "status" not in body  # the synchronous answer is unchanged
    assert not response.has_header("Location")
    record = RoyaltyImport.objects.get()
    assert (record.status, record.file, record.attempts) == (ImportStatus.DONE, "", 0)
    assert _stored_reports() == []


@pytest.mark.django_db
def test_the_same_big_report_again_returns_the_first_import_and_stores_nothing(
    staff_user, small_sync_limit, django_capture_on_commit_callbacks
):
    client = staff_bearer_client(staff_user)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not started yet
        first = _upload(client, CONTENT)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = _upload(client, CONTENT, name="renamed.tsv")

    assert (first.status_code, again.status_code) == (202, 200)
    body = again.json()
    assert body["id"] == first.json()["id"]
    assert (body["status"], body["already_imported"], body["file_name"]) == (
        "queued",
        True,
        "report.tsv",
    )
    assert again["Location"] == first["Location"]
    assert callbacks == []  # nothing queued again
    assert RoyaltyImport.objects.count() == 1
    assert len(_stored_reports()) == 1


@pytest.mark.django_db
def test_a_malformed_big_report_fails_with_the_error_and_imports_no_line(
    staff_user, small_sync_limit, django_capture_on_commit_callbacks
):
    client = staff_bearer_client(staff_user)
    content = b"Store\tTitle\n" + b"Spotify\tSome Song\n" * 10

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, content)

    assert response.status_code == 202
    record = RoyaltyImport.objects.get()
    assert record.status == ImportStatus.FAILED
    assert record.error == {
        "code": "VALIDATION_ERROR",
        "message": "The report lacks required columns.",
        "details": {"file": ["Missing column(s): sale_month, isrc, earnings."]},
    }
    assert not RoyaltyLine.objects.exists()
    assert record.lines_total == 0
    assert default_storage.exists(record.file)  # kept for a retry
    assert not AuditLog.objects.filter(action="royalty.import").exists()
    shown = client.get(_detail(record.pk)).json()
    assert (shown["status"], shown["error"]) == ("failed", record.error)


@pytest.mark.django_db
def test_a_big_report_that_is_not_utf8_fails_and_leaves_no_line(
    staff_user, small_sync_limit, django_capture_on_commit_callbacks
):
    content = report(*(report_line(ISRC, f"{n}.00") for n in range(3))) + b"\xff\xfe\x00bad\n"

    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_bearer_client(staff_user), content)

    record = RoyaltyImport.objects.get()
    assert (record.status, record.error["code"]) == (ImportStatus.FAILED, "VALIDATION_ERROR")
    assert record.error["message"] == "The report could not be read."
    assert not RoyaltyLine.objects.exists()


@pytest.mark.django_db
def test_the_import_status_is_for_staff_with_a_two_factor_login_and_unknown_ids_are_404(
    staff_user, user
):
    record = RoyaltyImport.objects.create(file_name="r.tsv", sha256="0" * 64)

    creator = bearer_client(user).get(_detail(record.pk))
    password_only = bearer_client(staff_user).get(_detail(record.pk))
    unknown = staff_bearer_client(staff_user).get(_detail(uuid.uuid4()))

    assert (creator.status_code, creator.json()["error"]["code"]) == (403, "PERMISSION_DENIED")
    assert password_only.json()["error"]["code"] == "TWO_FACTOR_LOGIN_REQUIRED"
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "NOT_FOUND")


@pytest.mark.django_db
def test_a_second_delivery_of_the_task_imports_nothing_more(
    staff_user, owned_track, small_sync_limit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_bearer_client(staff_user), CONTENT)
    record = RoyaltyImport.objects.get()

    again = services.royalty_import_process(import_id=record.pk)

    assert again is None
    record.refresh_from_db()
    assert (record.status, record.attempts) == (ImportStatus.DONE, 1)
    assert RoyaltyLine.objects.count() == 3


def _stalled(content: bytes, *, attempts: int, now) -> RoyaltyImport:
    """An import whose worker died mid-way: running, past its deadline, its report stored."""
    result = services.royalty_import_queue(file=io.BytesIO(content), file_name="r.tsv", now=now)
    RoyaltyImport.objects.filter(pk=result.royalty_import.pk).update(
        status=ImportStatus.RUNNING, attempts=attempts, deadline=now - timedelta(seconds=1)
    )
    return RoyaltyImport.objects.get(pk=result.royalty_import.pk)


@pytest.mark.django_db
def test_an_import_whose_worker_was_lost_is_imported_again_by_the_sweeper(
    owned_track, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        stuck = _stalled(CONTENT, attempts=1, now=now)

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.royalty_imports_requeue_stalled(now=now)

    stuck.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0}
    assert (stuck.status, stuck.attempts, stuck.lines_imported) == (ImportStatus.DONE, 2, 3)
    assert RoyaltyLine.objects.count() == 3
    assert AuditLog.objects.filter(
        action="royalty.import.requeued", target_id=str(stuck.pk)
    ).exists()


@pytest.mark.django_db
def test_an_import_that_keeps_losing_its_worker_is_failed_and_keeps_its_report(
    settings, django_capture_on_commit_callbacks
):
    settings.JOBS_MAX_ATTEMPTS = 3
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        stuck = _stalled(CONTENT, attempts=3, now=now)

    counts = services.royalty_imports_requeue_stalled(now=now)

    stuck.refresh_from_db()
    assert counts == {"requeued": 0, "failed": 1}
    assert (stuck.status, stuck.finished_at) == (ImportStatus.FAILED, now)
    assert stuck.error == {
        "code": "IMPORT_STALLED",
        "message": "Started 3 times without finishing: its worker was lost or ran out of time.",
        "details": {},
    }
    assert default_storage.exists(stuck.file)
    assert not RoyaltyLine.objects.exists()


@pytest.mark.django_db
def test_an_idle_running_import_within_its_deadline_is_left_alone(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        busy = _stalled(CONTENT, attempts=1, now=now)
    RoyaltyImport.objects.filter(pk=busy.pk).update(deadline=now + timedelta(minutes=5))

    counts = services.royalty_imports_requeue_stalled(now=now)

    busy.refresh_from_db()
    assert counts == {"requeued": 0, "failed": 0}
    assert (busy.status, busy.attempts) == (ImportStatus.RUNNING, 1)


@pytest.mark.django_db(transaction=True)
def test_the_same_big_report_uploaded_twice_at_once_makes_one_import(
    staff_user, owned_track, small_sync_limit
):
    content = report(*(report_line(ISRC, f"{n}.00") for n in range(50)))
    clients = [staff_bearer_client(staff_user) for _ in range(2)]
    start = threading.Barrier(2)
    answers = []

    def worker(client):
        try:
            start.wait()
            response = _upload(client, content)
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(code for code, _ in answers) == [200, 202]
    assert len({record_id for _, record_id in answers}) == 1
    record = RoyaltyImport.objects.get()
    assert (record.status, record.lines_imported) == (ImportStatus.DONE, 50)
    assert RoyaltyLine.objects.count() == 50
    assert _stored_reports() == []  # the loser's copy was removed, the winner's once imported


# --- Admin --------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_the_upload_page_queues_a_big_report_and_links_its_import(
    admin_client, owned_track, small_sync_limit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:distribution_royaltyimport_upload"),
            {"file": SimpleUploadedFile("big.tsv", CONTENT)},
            follow=True,
        )

    assert response.status_code == 200
    record = RoyaltyImport.objects.get()
    page = response.content.decode()
    assert "The report is imported in the background:" in page
    assert reverse("admin:distribution_royaltyimport_change", args=[record.pk]) in page
    assert (record.status, record.lines_imported) == (ImportStatus.DONE, 3)


@pytest.mark.django_db
def test_the_import_list_shows_statuses_and_filters_failed_ones(admin_client):
    RoyaltyImport.objects.create(file_name="good.tsv", sha256="a" * 64, status="done")
    RoyaltyImport.objects.create(
        file_name="broken.tsv", sha256="b" * 64, status="failed", error={"code": "X"}
    )

    response = admin_client.get(
        reverse("admin:distribution_royaltyimport_changelist") + "?status__exact=failed"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "broken.tsv" in page
    assert "good.tsv" not in page


@pytest.mark.django_db
def test_staff_retry_a_failed_import_with_a_reason_and_it_is_imported(
    admin_client, staff_user, owned_track, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_MAX_ATTEMPTS = 1
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        failed = _stalled(CONTENT, attempts=1, now=now)
    services.royalty_imports_requeue_stalled(now=now)
    failed.refresh_from_db()
    assert failed.status == ImportStatus.FAILED
    url = reverse("admin:distribution_royaltyimport_changelist")
    selection = {"action": "retry", "_selected_action": [str(failed.pk)], "index": "0"}

    unconfirmed = admin_client.post(url, {**selection, "confirm": "yes", "reason": ""})
    assert unconfirmed.status_code == 200  # the page again, asking for the reason
    assert RoyaltyImport.objects.get(pk=failed.pk).status == ImportStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {**selection, "confirm": "yes", "reason": "Worker fixed"})

    failed.refresh_from_db()
    assert (failed.status, failed.lines_imported, failed.file) == (ImportStatus.DONE, 3, "")
    retried = AuditLog.objects.get(action="royalty.import_retry")
    assert (retried.actor, retried.metadata["reason"]) == (staff_user, "Worker fixed")


@pytest.mark.django_db
def test_only_a_failed_import_can_be_retried(staff_user):
    done = RoyaltyImport.objects.create(file_name="r.tsv", sha256="c" * 64, status="done", file="x")

    queued = services.royalty_import_retry(record=done, actor=staff_user, reason="Again")

    assert queued is False
    assert RoyaltyImport.objects.get(pk=done.pk).status == ImportStatus.DONE
    assert not AuditLog.objects.filter(action="royalty.import_retry").exists()


@pytest.mark.django_db
def test_a_failed_import_page_shows_its_error(admin_client):
    record = RoyaltyImport.objects.create(
        file_name="broken.tsv",
        sha256="d" * 64,
        status="failed",
        error={"code": "VALIDATION_ERROR", "message": "The report lacks required columns."},
    )

    response = admin_client.get(
        reverse("admin:distribution_royaltyimport_change", args=[record.pk])
    )

    assert response.status_code == 200
    assert "The report lacks required columns." in response.content.decode()
