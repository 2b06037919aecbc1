"""Streaming's answers to the catalog's track signals (``apps.catalog.signals``).

Connected in ``StreamingConfig.ready()``; both run after the catalog's write has committed.
"""

from django.dispatch import receiver

from apps.catalog.signals import track_deleted, track_media_ready
from apps.platform_settings.selectors import flag_enabled
from apps.streaming.selectors import hls_directory
from apps.streaming.services import hls_files_delete
from apps.streaming.tasks import hls_transcode


@receiver(track_media_ready, dispatch_uid="streaming.hls_transcode_queue")
def hls_transcode_queue(sender, *, track_id: str, **kwargs) -> None:
    """A track became ready: build its HLS renditions while the ``hls_streaming`` flag is on."""
    if flag_enabled("hls_streaming"):
        hls_transcode.delay(track_id)


@receiver(track_deleted, dispatch_uid="streaming.hls_files_remove")
def hls_files_remove(sender, *, track_id: str, **kwargs) -> None:
    """A track was deleted: its renditions go with it."""
    hls_files_delete(directory=hls_directory(track_id))
