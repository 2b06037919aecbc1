"""Export requests and their lifecycle: pending → processing → ready/failed → expired.

Contract: shared/API.md "Personal data (GDPR)"; changelog: "Export: table data_exports, POST
/me/export (202)", "Notification email quand ZIP prêt, rate limit 3/jour".
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.gdpr import tasks
from apps.gdpr.models import DataExport, ExportStatus
from apps.gdpr.services.archive import archive_build
from apps.webhooks.services import webhook_event_record
from veza.api.ratelimit import rate_limited
from veza.audit import RequestMeta, audit_record
from veza.emails import email_send_on_commit
from veza.jobs import StalledJobs, job_claim, job_lease_expired, stalled_jobs_requeue

logger = logging.getLogger(__name__)

QUOTA_WINDOW = timedelta(hours=24)


def _quota_check(*, user: User, now: datetime) -> None:
    """At most ``GDPR_EXPORTS_PER_DAY`` self-requested exports in any rolling 24 hours.

    Called with the user's row locked, so parallel requests count one after the other: the
    fourth of four simultaneous requests sees three and is refused. Failed exports do not
    count (the user did not get their data); staff-started ones neither.
    """
    counted = DataExport.objects.filter(
        user=user,
        requested_by_staff__isnull=True,
        created_at__gt=now - QUOTA_WINDOW,
    ).exclude(status=ExportStatus.FAILED)
    times = list(counted.order_by("created_at").values_list("created_at", flat=True))
    if len(times) >= settings.GDPR_EXPORTS_PER_DAY:
        oldest_to_free = times[len(times) - settings.GDPR_EXPORTS_PER_DAY]
        wait = (oldest_to_free + QUOTA_WINDOW - now).total_seconds()
        raise rate_limited(
            wait, f"At most {settings.GDPR_EXPORTS_PER_DAY} exports a day. Try again later."
        )


@transaction.atomic
def export_request(
    *,
    user: User,
    staff: User | None = None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> DataExport:
    """Queue an export of ``user``'s data; the archive is built by a task after commit.

    ``staff`` starts one for a support request (not limited, audited under their name).
    """
    now = now or timezone.now()
    User.objects.select_for_update().filter(pk=user.pk).first()
    if staff is None:
        _quota_check(user=user, now=now)
    export = DataExport.objects.create(user=user, requested_by_staff=staff, created_at=now)
    audit_record(
        action="gdpr.export_request",
        actor=staff or user,
        target=export,
        meta=meta,
        metadata={"user_id": str(user.pk), "by_staff": staff is not None},
    )
    transaction.on_commit(lambda: tasks.export_build.delay(str(export.pk)))
    return export


def _download_link(export: DataExport) -> str:
    return f"{settings.FRONTEND_URL}/api/v1/users/me/exports/{export.pk}/download"


def export_process(*, export_id, now: datetime | None = None) -> DataExport | None:
    """Build the archive of a pending export. Idempotent: only the worker that moves the row
    from ``pending`` to ``processing`` builds it; a second delivery of the task does nothing,
    unless the claim's deadline passed (its worker was lost: :mod:`veza.jobs`).
    A failure marks the export failed (it then no longer counts against the quota)."""
    now = now or timezone.now()
    claimable = Q(status=ExportStatus.PENDING) | Q(
        job_lease_expired(deadline_field="deadline", now=now), status=ExportStatus.PROCESSING
    )
    claimed = DataExport.objects.filter(claimable, pk=export_id).update(
        status=ExportStatus.PROCESSING,
        started_at=now,
        **job_claim(
            task=tasks.export_build.name,
            attempts_field="attempts",
            deadline_field="deadline",
            now=now,
        ),
    )
    if not claimed:
        return None
    export = DataExport.objects.select_related("user").get(pk=export_id)
    try:
        built = archive_build(user=export.user, export_id=export.pk, cut_off=now)
    except Exception as error:
        logger.exception("Export %s failed", export_id)
        DataExport.objects.filter(pk=export_id, status=ExportStatus.PROCESSING).update(
            status=ExportStatus.FAILED,
            finished_at=timezone.now(),
            failure_reason=f"{type(error).__name__}"[:255],
        )
        return DataExport.objects.get(pk=export_id)
    finished = timezone.now()
    with transaction.atomic():
        ready = DataExport.objects.filter(pk=export_id, status=ExportStatus.PROCESSING).update(
            status=ExportStatus.READY,
            finished_at=finished,
            expires_at=finished + timedelta(days=settings.GDPR_EXPORT_TTL_DAYS),
            file=built.name,
            size=built.size,
            sha256=built.sha256,
        )
        if not ready:
            # The job sweeper failed this export meanwhile: its file must not linger.
            default_storage.delete(built.name)
            return DataExport.objects.get(pk=export_id)
        export.refresh_from_db()
        webhook_event_record(
            owner_id=export.user_id,
            event_type="export.ready",
            object_id=export.pk,
            data_object={
                "id": str(export.pk),
                "object": "data_export",
                "status": export.status,
                "size": export.size,
                "expires_at": export.expires_at,
                "download_url": _download_link(export),
            },
        )
        email_send_on_commit(
            template="gdpr_export_ready",
            to=export.user.email,
            context={
                "username": export.user.username,
                "link": _download_link(export),
                "expires_at": export.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
                "frontend_url": settings.FRONTEND_URL,
            },
        )
    return export


EXPORT_BUILD = StalledJobs(
    name="gdpr.export",
    task="gdpr.export_build",
    model=DataExport,
    active=Q(status__in=[ExportStatus.PENDING, ExportStatus.PROCESSING]),
    attempts_field="attempts",
    deadline_field="deadline",
    queued_since_field="created_at",
    requeue={"status": ExportStatus.PENDING},
    fail=lambda reason, now: {
        "status": ExportStatus.FAILED,
        "finished_at": now,
        "failure_reason": reason[:255],
    },
)


def exports_requeue_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Exports still pending or processing past their deadline (a worker died, the broker lost
    the task) are built again, or failed after ``JOBS_MAX_ATTEMPTS`` starts, so they stop
    blocking the user's quota and the user can ask again (audited ``gdpr.export.requeued`` /
    ``.failed``)."""
    return stalled_jobs_requeue(jobs=EXPORT_BUILD, now=now)


def export_file_delete(*, export: DataExport) -> bool:
    """Delete an export's archive from storage and mark it expired; idempotent."""
    changed = DataExport.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
        status=ExportStatus.EXPIRED, file=""
    )
    if export.file:
        default_storage.delete(export.file)
    return bool(changed)


def exports_expire(*, now: datetime | None = None) -> int:
    """Delete the archives past their expiry (7 days after they were ready)."""
    now = now or timezone.now()
    due = DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
    return sum(export_file_delete(export=export) for export in due.iterator(chunk_size=500))
