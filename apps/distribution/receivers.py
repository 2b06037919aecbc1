"""Distribution's answers to the catalog's signals (apps.catalog.signals), connected in
``DistributionConfig.ready()``: the catalog sits below distribution and never imports it."""

from django.dispatch import receiver

from apps.catalog.models import Track
from apps.catalog.signals import track_delete_requested
from apps.distribution.exceptions import TrackDistributed
from apps.distribution.models import AT_PLATFORM_STATUSES, PlatformRelease


@receiver(track_delete_requested, sender=Track, dispatch_uid="distribution.track_delete_veto")
def track_delete_refuse_while_distributed(sender, track: Track, **kwargs) -> None:
    """Refuse to delete a track that is at a platform or on its way there (409
    ``TRACK_DISTRIBUTED``): deleting it would cascade its releases while the music stays live,
    and Veza would forget it sent it. ``details`` name the distributions to take down."""
    releases = list(
        PlatformRelease.objects.filter(track=track, status__in=AT_PLATFORM_STATUSES)
        .order_by("distribution_id", "platform")
        .values_list("distribution_id", "platform", "status")
    )
    if releases:
        raise TrackDistributed(
            details={
                "distributions": sorted({str(distribution) for distribution, _, _ in releases}),
                "releases": [f"{platform}: {status}" for _, platform, status in releases],
            }
        )
