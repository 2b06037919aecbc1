"""Every analytics write: the rollup job, live sessions and their viewer events."""

from apps.analytics.services.live import live_session_create, live_viewer_events_record
from apps.analytics.services.rollups import listener_forget, rollup_advance, rollup_rebuild

__all__ = [
    "listener_forget",
    "live_session_create",
    "live_viewer_events_record",
    "rollup_advance",
    "rollup_rebuild",
]
