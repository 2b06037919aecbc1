"""Distribution: every release still live on a streaming platform is taken down, and the
provider is told at once, inside the deletion: the account's tracks (and with them the release
rows) are deleted in the same transaction, so a task queued for after the commit would find
nothing to send. Royalty statements stay, linked to the anonymised account, for the payouts and
accounts they belong to (apps.gdpr.retention)."""

import logging

from apps.distribution.exceptions import NotLive
from apps.distribution.models import Distribution, PlatformRelease, ReleaseStatus
from apps.distribution.services import distribution_takedown, release_takedown_send
from apps.gdpr.erasure.base import ErasureContext, ErasureStep

logger = logging.getLogger(__name__)


def releases_take_down(ctx: ErasureContext) -> dict:
    taken_down = sent = failed = 0
    for distribution in Distribution.objects.filter(owner=ctx.user).order_by("created_at"):
        try:
            distribution_takedown(
                distribution=distribution, actor=ctx.actor, meta=ctx.meta, now=ctx.now
            )
        except NotLive:
            continue
        taken_down += 1
    releases = PlatformRelease.objects.filter(
        distribution__owner=ctx.user, status=ReleaseStatus.TAKEDOWN_REQUESTED
    ).values_list("pk", flat=True)
    for release_id in list(releases):
        try:
            release_takedown_send(release_id=release_id)
            sent += 1
        except Exception:
            # The deletion goes on; staff see the failure in the log and the summary.
            logger.exception("Could not send the takedown of release %s", release_id)
            failed += 1
    return {
        "distributions_taken_down": taken_down,
        "takedowns_sent": sent,
        "takedowns_failed": failed,
    }


STEPS = [
    ErasureStep(
        "distribution",
        now=releases_take_down,
        erased_now=("Your releases on streaming platforms are taken down.",),
    ),
]
