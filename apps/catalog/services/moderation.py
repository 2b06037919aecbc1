"""Moderation: reports filed by listeners, decisions taken by staff (API and admin alike)."""

from __future__ import annotations

import logging
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.models import ModerationStatus, Report, ReportStatus, Track
from apps.catalog.services.tracks import track_caches_invalidate, track_event_record
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record

logger = logging.getLogger(__name__)


class ModerationAction(StrEnum):
    """What staff may decide about a track (also a closed report's ``resolution``)."""

    HIDE = "hide"
    TAKE_DOWN = "take_down"
    RESTORE = "restore"


MODERATION_OUTCOMES = {
    ModerationAction.HIDE: ModerationStatus.HIDDEN,
    ModerationAction.TAKE_DOWN: ModerationStatus.TAKEN_DOWN,
    ModerationAction.RESTORE: ModerationStatus.ACTIVE,
}

#: ``Report.resolution`` of a report closed without action.
REPORT_DISMISSED = "dismiss"


@transaction.atomic
def track_moderate(
    *,
    track: Track,
    action: ModerationAction | str,
    actor,
    meta: RequestMeta | None = None,
    reason: str = "",
) -> Track:
    """Hide, take down or restore a track; open reports on it are closed as actioned."""
    try:
        action = ModerationAction(action)
    except ValueError:
        raise ValidationFailed(
            details={"action": [f"Unknown moderation action {action!r}."]}
        ) from None
    new_status = MODERATION_OUTCOMES[action]
    previous = track.moderation_status
    Track.objects.filter(pk=track.pk).update(
        moderation_status=new_status, updated_at=timezone.now()
    )
    track.moderation_status = new_status
    now = timezone.now()
    closed = 0
    if action != ModerationAction.RESTORE:
        closed = Report.objects.filter(track=track, status=ReportStatus.OPEN).update(
            status=ReportStatus.ACTIONED, resolved_by=actor, resolved_at=now, resolution=str(action)
        )
    audit_record(
        action=f"track.moderation.{action.value}",
        actor=actor,
        target=track,
        meta=meta,
        metadata={"from": previous, "to": new_status, "reports_closed": closed, "reason": reason},
    )
    track_caches_invalidate(track.pk)
    if new_status == ModerationStatus.TAKEN_DOWN and previous != ModerationStatus.TAKEN_DOWN:
        track.refresh_from_db()
        track_event_record(track=track, event_type="track.taken_down")
    return track


def report_file(
    *, track: Track, reporter, reason: str, details: str = "", meta: RequestMeta | None = None
) -> tuple[Report, bool]:
    """File a report; a second open report by the same person returns the first one."""
    try:
        with transaction.atomic():
            report = Report.objects.create(
                track=track, reporter=reporter, reason=reason, details=details
            )
    except IntegrityError:
        return Report.objects.get(track=track, reporter=reporter, status=ReportStatus.OPEN), False
    audit_record(
        action="track.report", actor=reporter, target=track, meta=meta, metadata={"reason": reason}
    )
    return report, True


@transaction.atomic
def report_dismiss(*, report: Report, actor, meta: RequestMeta | None = None) -> bool:
    updated = Report.objects.filter(pk=report.pk, status=ReportStatus.OPEN).update(
        status=ReportStatus.DISMISSED,
        resolved_by=actor,
        resolved_at=timezone.now(),
        resolution=REPORT_DISMISSED,
    )
    if updated:
        audit_record(
            action="report.dismiss",
            actor=actor,
            target=report,
            meta=meta,
            metadata={"track": str(report.track_id)},
        )
    return bool(updated)
