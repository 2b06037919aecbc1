"""Talking to the provider: submitting, following statuses with backoff, taking down, and the
rule for creators whose paid plan ended.

Run by Celery tasks (:mod:`apps.distribution.tasks`), after commit and on the beat schedule.
Every function takes ids, locks its release with ``SKIP LOCKED`` and re-checks the status
under the lock: two workers never handle one release at once, and a task delivered twice does
its work once. The provider is called inside that transaction with an idempotency key derived
from the release, so a worker killed after the provider accepted a release (its transaction
rolled back, the release still ``pending``) sends the same key again on retry, and the provider
delivers once.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.distribution import selectors
from apps.distribution.models import ChangeSource, Distribution, PlatformRelease, ReleaseStatus
from apps.distribution.providers import DistributionProvider, ProviderError, get_provider
from apps.distribution.services.statuses import (
    FORWARD_PATH,
    release_transition,
    transition_allowed,
)
from apps.distribution.services.submissions import distribution_takedown

logger = logging.getLogger(__name__)
S = ReleaseStatus


def submit_idempotency_key(release: PlatformRelease) -> str:
    return f"veza-release-{release.pk}-submit"


def takedown_idempotency_key(release: PlatformRelease) -> str:
    return f"veza-release-{release.pk}-takedown"


def backoff(attempts: int) -> timedelta:
    """The wait before the next check: base * 2^(attempts - 1), capped."""
    base = settings.DISTRIBUTION_POLL_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.DISTRIBUTION_POLL_MAX_SECONDS)
    return timedelta(seconds=seconds)


def _lock(release_id, statuses) -> PlatformRelease | None:
    """The release if it is in ``statuses`` and no other worker holds it. No join in the
    locking query (a re-checked row is matched against what was joined before the wait)."""
    release = next(
        iter(
            PlatformRelease.objects.select_for_update(skip_locked=True).filter(
                pk=release_id, status__in=statuses
            )
        ),
        None,
    )
    if release is not None:
        release.distribution = Distribution.objects.select_related(
            "track", "track__owner", "track__owner__profile"
        ).get(pk=release.distribution_id)
        release.track = release.distribution.track
    return release


@transaction.atomic
def release_submit(
    *, release_id, now: datetime | None = None, provider: DistributionProvider | None = None
) -> str:
    """Send a ``pending`` release to the provider; ``submitted`` when it accepts.

    A provider error is retried with backoff; after ``DISTRIBUTION_SUBMIT_MAX_ATTEMPTS`` the
    release is ``failed`` with the provider's message.
    """
    now = now or timezone.now()
    provider = provider or get_provider()
    release = _lock(release_id, [S.PENDING])
    if release is None:
        return "skipped"
    distribution = release.distribution
    spec = selectors.release_spec(
        track=distribution.track, isrc=distribution.isrc, is_explicit=distribution.is_explicit
    )
    attempts = release.submit_attempts + 1
    try:
        result = provider.submit(
            release=release, spec=spec, idempotency_key=submit_idempotency_key(release)
        )
    except ProviderError as error:
        if attempts >= settings.DISTRIBUTION_SUBMIT_MAX_ATTEMPTS:
            release_transition(
                release=release,
                to_status=S.FAILED,
                source=ChangeSource.PROVIDER,
                reason=f"After {attempts} attempts: {error}",
                now=now,
                submit_attempts=attempts,
                next_check_at=None,
            )
            return "failed"
        PlatformRelease.objects.filter(pk=release.pk).update(
            submit_attempts=attempts, next_check_at=now + backoff(attempts)
        )
        return "retry"
    release_transition(
        release=release,
        to_status=S.SUBMITTED,
        source=ChangeSource.PROVIDER,
        now=now,
        submitted_at=now,
        provider_reference=result.reference[:128],
        submit_attempts=attempts,
        poll_attempts=0,
        next_check_at=now + backoff(1),
    )
    return "submitted"


def _path(current: str, target: str) -> list[str] | None:
    """The steps from ``current`` to what the provider reports, through the table."""
    if transition_allowed(current, target):
        return [target]
    if current in FORWARD_PATH and target in FORWARD_PATH:
        start, end = FORWARD_PATH.index(current), FORWARD_PATH.index(target)
        if end > start:
            return list(FORWARD_PATH[start + 1 : end + 1])
    return None


@transaction.atomic
def release_poll(
    *, release_id, now: datetime | None = None, provider: DistributionProvider | None = None
) -> str:
    """Ask the provider where a release stands and follow it through the status table.

    Unchanged: the next check waits twice as long (capped). Changed: each step is a history
    row with the platform's reason, and checks start again at the base interval.
    """
    now = now or timezone.now()
    provider = provider or get_provider()
    release = _lock(release_id, [S.SUBMITTED, S.PROCESSING, S.TAKEDOWN_REQUESTED])
    if release is None:
        return "skipped"
    attempts = release.poll_attempts + 1
    try:
        result = provider.fetch_status(release=release, now=now)
    except ProviderError as error:
        logger.warning("Distribution: status of %s unavailable: %s", release.pk, error)
        result = None
    steps = _path(release.status, result.status) if result else None
    if not steps:
        if result and result.status != release.status:
            logger.warning(
                "Distribution: %s reported %s for a %s release; ignored",
                release.pk,
                result.status,
                release.status,
            )
        PlatformRelease.objects.filter(pk=release.pk).update(
            poll_attempts=attempts, next_check_at=now + backoff(attempts)
        )
        return "unchanged"
    for step in steps:
        final = step == steps[-1]
        still_polled = step in (S.SUBMITTED, S.PROCESSING, S.TAKEDOWN_REQUESTED)
        release_transition(
            release=release,
            to_status=step,
            source=ChangeSource.PROVIDER,
            reason=result.reason if final else "",
            now=now,
            poll_attempts=0,
            next_check_at=now + backoff(1) if still_polled else None,
        )
    return steps[-1]


@transaction.atomic
def release_takedown_send(*, release_id, provider: DistributionProvider | None = None) -> str:
    """Tell the provider to take a release down (idempotent on the release)."""
    provider = provider or get_provider()
    release = _lock(release_id, [S.TAKEDOWN_REQUESTED])
    if release is None:
        return "skipped"
    provider.take_down(release=release, idempotency_key=takedown_idempotency_key(release))
    return "sent"


def releases_process_due(
    *, now: datetime | None = None, provider: DistributionProvider | None = None, limit=500
) -> dict[str, int]:
    """One run of the scheduler: pending releases are (re)submitted, the others polled. Each
    release is its own transaction; one failure does not undo the others."""
    now = now or timezone.now()
    provider = provider or get_provider()
    outcomes: Counter[str] = Counter()
    due = PlatformRelease.objects.filter(
        pk__in=selectors.releases_due(now=now, limit=limit)
    ).values_list("pk", "status")
    for release_id, status in list(due):
        handler = release_submit if status == S.PENDING else release_poll
        try:
            outcomes[handler(release_id=release_id, now=now, provider=provider)] += 1
        except Exception:
            logger.exception("Distribution: could not process release %s", release_id)
            outcomes["error"] += 1
    return dict(outcomes)


def distributions_enforce_eligibility(*, now: datetime | None = None) -> int:
    """Live releases of creators whose paid plan ended more than ``DISTRIBUTION_GRACE_DAYS``
    ago (cancellation or a downgrade to Free taking effect at period end) are taken down.
    A creator who subscribes again within the grace period keeps them."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DISTRIBUTION_GRACE_DAYS)
    taken_down = 0
    for owner_id in selectors.owners_past_grace(cutoff=cutoff):
        distributions = Distribution.objects.filter(
            owner_id=owner_id, releases__status=S.LIVE
        ).distinct()
        for distribution in distributions:
            try:
                distribution_takedown(
                    distribution=distribution, actor=None, source=ChangeSource.SYSTEM, now=now
                )
                taken_down += 1
            except Exception:
                logger.exception("Distribution: could not take %s down", distribution.pk)
    return taken_down
