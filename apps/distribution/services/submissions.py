"""Sending a track to platforms: the dry run, the submission, the ISRC, the takedown.

Contract: shared/API.md "Distribution and royalties" (POST /distributions/validate,
POST /distributions, POST /distributions/{id}/takedown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.models import Track
from apps.distribution import selectors, tasks
from apps.distribution.exceptions import (
    AlreadyDistributed,
    IsrcPrefixExhausted,
    IsrcTaken,
    NotLive,
    SubscriptionRequired,
)
from apps.distribution.models import (
    ChangeSource,
    Distribution,
    IsrcCounter,
    PlatformRelease,
    ReleaseStatus,
    TrackIsrc,
)
from apps.distribution.providers import CheckResult, Problem, get_provider
from apps.distribution.services.statuses import release_transition
from veza.api.exceptions import NotFound, ValidationFailed
from veza.audit import RequestMeta, audit_record

#: CC (country) + XXX (registrant) + YY (year) + NNNNN (designation), dashes removed.
ISRC_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$")
ISRC_PREFIX_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}$")
MAX_DESIGNATION = 99_999


def isrc_normalize(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def isrc_is_valid(value: str) -> bool:
    return bool(ISRC_RE.match(value))


def isrc_generate(*, now: datetime) -> str:
    """The next ISRC under ``ISRC_PREFIX`` for ``now``'s year.

    The (prefix, year) counter row is locked (``SELECT … FOR UPDATE``) inside the caller's
    transaction: concurrent submissions queue on it and never draw the same code, and a
    rolled-back submission gives its number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("isrc_generate() must run inside the submission's transaction.")
    prefix = settings.ISRC_PREFIX.upper()
    if not ISRC_PREFIX_RE.match(prefix):
        raise IsrcPrefixExhausted("ISRC_PREFIX must be 2 letters and 3 letters or digits.")
    year = now.year
    IsrcCounter.objects.bulk_create([IsrcCounter(prefix=prefix, year=year)], ignore_conflicts=True)
    counter = IsrcCounter.objects.select_for_update().get(prefix=prefix, year=year)
    if counter.last_number >= MAX_DESIGNATION:
        raise IsrcPrefixExhausted()
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}{year % 100:02d}{counter.last_number:05d}"


def _isrc_assign(*, track: Track, requested: str | None, now: datetime) -> str:
    """The track's ISRC: the one it already has, else the creator's, else a generated one."""
    existing = selectors.track_isrc(track=track)
    if existing:
        if requested and requested != existing:
            raise ValidationFailed(
                details={"isrc": [f"This track already has the ISRC {existing}."]}
            )
        return existing
    isrc = requested or isrc_generate(now=now)
    try:
        with transaction.atomic():
            TrackIsrc.objects.create(
                track=track, isrc=isrc, is_generated=not requested, created_at=now
            )
    except IntegrityError as error:
        if TrackIsrc.objects.filter(track=track).exists():
            raise AlreadyDistributed() from error  # a concurrent submission of this track
        raise IsrcTaken(
            details={"isrc": ["This ISRC already belongs to another recording."]}
        ) from error
    return isrc


@dataclass
class PlatformCheck:
    platform: str
    blocking: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def is_ready(self) -> bool:
        return not self.blocking


@dataclass
class DistributionCheck:
    track: Track
    isrc: str | None
    is_eligible: bool
    platforms: list[PlatformCheck]

    @property
    def is_ready(self) -> bool:
        return self.is_eligible and all(check.is_ready for check in self.platforms)

    def blocking_details(self) -> dict[str, list[str]]:
        """The blocking problems as field errors: ``{"<platform>.<field>": [messages]}``."""
        details: dict[str, list[str]] = {}
        for check in self.platforms:
            for problem in check.blocking:
                details.setdefault(f"{check.platform}.{problem.field}", []).append(problem.message)
        return details


def distribution_check(
    *, user, track_id, platforms: list[str], isrc: str | None, is_explicit: bool | None
) -> DistributionCheck:
    """The dry run: per platform, what blocks a submission and what merely warns. Sends
    nothing, charges nothing, writes nothing."""
    track = selectors.track_for_distribution(track_id=track_id, user=user)
    existing = selectors.track_isrc(track=track)
    provider = get_provider()
    occupied = set(selectors.releases_occupying(track=track, platforms=platforms))
    spec = selectors.release_spec(track=track, isrc=existing or isrc or "", is_explicit=is_explicit)
    checks = []
    for platform in platforms:
        result: CheckResult = provider.validate(spec=spec, platform=platform)
        check = PlatformCheck(platform, list(result.blocking), list(result.warnings))
        if platform in occupied:
            check.blocking.append(
                Problem(
                    "platform",
                    "ALREADY_DISTRIBUTED",
                    "This track is already live (or on its way) on this platform.",
                )
            )
        if existing and isrc and isrc != existing:
            check.blocking.append(
                Problem("isrc", "ISRC_MISMATCH", f"This track already has the ISRC {existing}.")
            )
        checks.append(check)
    return DistributionCheck(
        track=track,
        isrc=existing or isrc,
        is_eligible=selectors.user_is_eligible(user),
        platforms=checks,
    )


@transaction.atomic
def distribution_submit(
    *,
    user,
    track_id,
    platforms: list[str],
    isrc: str | None = None,
    is_explicit: bool | None = None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> Distribution:
    """Send a ready track of the caller to ``platforms``.

    Order of refusals: no paid plan (403 ``SUBSCRIPTION_REQUIRED``), not the caller's ready
    track (404), already live or on its way somewhere asked (409 ``ALREADY_DISTRIBUTED``), a
    blocking problem (400 with the dry run's details). The track row is locked so two
    concurrent submissions of one track queue; the partial unique constraint on (track,
    platform) is the final word. The provider is called by a task after commit.
    """
    now = now or timezone.now()
    if not selectors.user_is_eligible(user):
        raise SubscriptionRequired()
    track = selectors.track_for_distribution(track_id=track_id, user=user)
    if Track.objects.select_for_update().filter(pk=track.pk).values_list("pk").first() is None:
        # Deleted while we waited for its lock (the deletion locks it too).
        raise NotFound("No ready track of yours has this id.")
    occupied = selectors.releases_occupying(track=track, platforms=platforms)
    if occupied:
        raise AlreadyDistributed(details={"platforms": occupied})
    check = distribution_check(
        user=user, track_id=track_id, platforms=platforms, isrc=isrc, is_explicit=is_explicit
    )
    if not check.is_ready:
        raise ValidationFailed(details=check.blocking_details())
    code = _isrc_assign(track=track, requested=isrc, now=now)
    provider = get_provider()
    distribution = Distribution.objects.create(
        track=track, owner=user, isrc=code, is_explicit=is_explicit, created_at=now
    )
    try:
        with transaction.atomic():
            releases = PlatformRelease.objects.bulk_create(
                PlatformRelease(
                    distribution=distribution,
                    track=track,
                    platform=platform,
                    provider=provider.name,
                    created_at=now,
                    status_changed_at=now,
                )
                for platform in sorted(set(platforms))
            )
    except IntegrityError as error:
        raise AlreadyDistributed(
            details={"platforms": selectors.releases_occupying(track=track, platforms=platforms)}
        ) from error
    for release in releases:
        release_transition(
            release=release,
            to_status=ReleaseStatus.PENDING,
            source=ChangeSource.OWNER,
            actor=user,
            reason="Submitted by the owner.",
            now=now,
            next_check_at=now,
        )
    audit_record(
        action="distribution.submit",
        actor=user,
        target=distribution,
        meta=meta,
        metadata={
            "track_id": str(track.pk),
            "isrc": code,
            "platforms": [release.platform for release in releases],
        },
    )
    release_ids = [str(release.pk) for release in releases]
    transaction.on_commit(lambda: [tasks.release_submit.delay(rid) for rid in release_ids])
    return selectors.distribution_get(distribution_id=distribution.pk, user=user)


TAKEDOWN_REASONS = {
    ChangeSource.OWNER: "Takedown requested by the owner.",
    ChangeSource.STAFF: "Takedown requested by staff.",
    ChangeSource.SYSTEM: "The creator's paid plan ended (grace period over).",
}


@transaction.atomic
def distribution_takedown(
    *, distribution: Distribution, actor, meta: RequestMeta | None = None, source=None, now=None
) -> Distribution:
    """Ask every platform where the distribution is live to take it down (owner or staff).

    Nothing live: 409 ``NOT_LIVE``. The provider is told by a task after commit.
    """
    now = now or timezone.now()
    if source is None:
        source = (
            ChangeSource.OWNER
            if actor and actor.pk == distribution.owner_id
            else ChangeSource.STAFF
        )
    live = list(
        PlatformRelease.objects.select_for_update()
        .filter(distribution=distribution, status=ReleaseStatus.LIVE)
        .order_by("platform")
    )
    if not live:
        raise NotLive()
    reason = TAKEDOWN_REASONS.get(source, "Takedown requested.")
    for release in live:
        release_transition(
            release=release,
            to_status=ReleaseStatus.TAKEDOWN_REQUESTED,
            source=source,
            actor=actor,
            reason=reason,
            now=now,
            meta=meta,
            next_check_at=now,
            poll_attempts=0,
        )
    audit_record(
        action="distribution.takedown",
        actor=actor,
        target=distribution,
        meta=meta,
        metadata={"platforms": [release.platform for release in live], "source": source},
    )
    release_ids = [str(release.pk) for release in live]
    transaction.on_commit(lambda: [tasks.release_takedown_send.delay(rid) for rid in release_ids])
    return selectors.distribution_get_any(distribution_id=distribution.pk)
