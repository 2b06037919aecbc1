"""The per-platform status machine: the allowed transitions, written once, and the one function
that moves a release (shared/API.md "GET /distributions/{id}/history": every transition leaves a
history row)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.distribution.exceptions import InvalidStatusTransition
from apps.distribution.models import (
    ChangeSource,
    Distribution,
    PlatformRelease,
    ReleaseStatus,
    StatusChange,
)
from apps.webhooks.services import webhook_event_record
from veza.audit import RequestMeta, audit_record

S = ReleaseStatus

#: Every allowed move. ``rejected``, ``taken_down`` and ``failed`` are final: sending the track
#: again is a new distribution (the unique constraint only counts releases still occupying a
#: platform).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PENDING, S.FAILED}),
    S.PENDING: frozenset({S.SUBMITTED, S.FAILED}),
    S.SUBMITTED: frozenset({S.PROCESSING, S.REJECTED, S.FAILED}),
    S.PROCESSING: frozenset({S.LIVE, S.REJECTED, S.FAILED}),
    S.LIVE: frozenset({S.TAKEDOWN_REQUESTED}),
    S.TAKEDOWN_REQUESTED: frozenset({S.TAKEN_DOWN}),
    S.REJECTED: frozenset(),
    S.TAKEN_DOWN: frozenset(),
    S.FAILED: frozenset(),
}

#: The forward path a provider's answer may skip along (a platform that went live between two
#: checks also passed through ``processing``; the history shows both steps).
FORWARD_PATH = (S.SUBMITTED, S.PROCESSING, S.LIVE)


def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def release_transition(
    *,
    release: PlatformRelease,
    to_status: str,
    source: str,
    actor=None,
    reason: str = "",
    now: datetime | None = None,
    meta: RequestMeta | None = None,
    **fields,
) -> PlatformRelease:
    """Move ``release`` to ``to_status`` if the table allows it from its current status.

    A conditional ``UPDATE … WHERE status = <from>``: of two concurrent movers of one release,
    one wins and the other gets 409 ``INVALID_STATUS_TRANSITION``, so no history row ever
    describes a move that did not happen. ``fields`` are written in the same statement
    (``submitted_at``, ``provider_reference``…). A staff move is also audited.
    """
    now = now or timezone.now()
    from_status = release.status
    if not transition_allowed(from_status, to_status):
        raise InvalidStatusTransition(
            f"A release cannot go from {from_status} to {to_status}.",
            details={"status": [f"Allowed from {from_status}: {_allowed(from_status)}."]},
        )
    reason = (reason or "")[:500]
    values = {"status": to_status, "status_reason": reason, "status_changed_at": now, **fields}
    if to_status == S.LIVE:
        values.setdefault("live_at", now)
    if to_status == S.TAKEDOWN_REQUESTED:
        values.setdefault("takedown_requested_at", now)
    with transaction.atomic():
        updated = PlatformRelease.objects.filter(pk=release.pk, status=from_status).update(**values)
        if not updated:
            raise InvalidStatusTransition(
                "The release's status changed meanwhile; reload it and try again."
            )
        StatusChange.objects.create(
            release=release,
            from_status=from_status,
            to_status=to_status,
            source=source,
            actor=actor,
            reason=reason,
            created_at=now,
        )
        if source == ChangeSource.STAFF:
            audit_record(
                action="distribution.status_override",
                actor=actor,
                target=release,
                meta=meta,
                metadata={
                    "distribution_id": str(release.distribution_id),
                    "platform": release.platform,
                    "from_status": from_status,
                    "to_status": to_status,
                    "reason": reason,
                },
            )
        _status_event_record(release, from_status=from_status, values=values)
    for name, value in values.items():
        setattr(release, name, value)
    return release


def _status_event_record(release: PlatformRelease, *, from_status: str, values: dict) -> None:
    """``distribution.status_changed`` for the distribution's owner, in the transition's
    transaction (README "Webhooks for integrators")."""
    if PlatformRelease.distribution.is_cached(release):
        owner_id = release.distribution.owner_id
    else:
        owner_id = (
            Distribution.objects.filter(pk=release.distribution_id)
            .values_list("owner_id", flat=True)
            .first()
        )
    webhook_event_record(
        owner_id=owner_id,
        event_type="distribution.status_changed",
        object_id=release.pk,
        data_object={
            "id": str(release.pk),
            "object": "platform_release",
            "distribution": str(release.distribution_id),
            "track": str(release.track_id),
            "platform": release.platform,
            "from_status": from_status,
            "status": values["status"],
            "status_reason": values["status_reason"],
            "changed_at": values["status_changed_at"],
        },
    )


def _allowed(from_status: str) -> str:
    allowed = sorted(TRANSITIONS.get(from_status, ()))
    return ", ".join(allowed) if allowed else "none (final status)"


@transaction.atomic
def release_status_override(
    *, release: PlatformRelease, to_status: str, reason: str, actor, meta: RequestMeta
) -> PlatformRelease:
    """Staff set a release's status by hand (admin), within the same table, with a reason."""
    if not reason.strip():
        raise InvalidStatusTransition("Give a reason for the change.")
    locked = PlatformRelease.objects.select_for_update().get(pk=release.pk)
    return release_transition(
        release=locked,
        to_status=to_status,
        source=ChangeSource.STAFF,
        actor=actor,
        reason=reason.strip(),
        meta=meta,
    )
