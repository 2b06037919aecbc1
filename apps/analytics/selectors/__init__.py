"""Every analytics read: one module per dashboard over the engine in ``common``."""

from apps.analytics.selectors.audience import audience
from apps.analytics.selectors.common import Range, snapshot
from apps.analytics.selectors.dashboard import dashboard
from apps.analytics.selectors.discovery import discovery, geographic
from apps.analytics.selectors.live import live_session_owned, live_sessions_of, live_stats
from apps.analytics.selectors.plays import GRANULARITIES, plays_series
from apps.analytics.selectors.sales import SALE_SOURCES, sales_report
from apps.analytics.selectors.tracks import DEFAULT_TRACK_ORDERING, TRACK_ORDERINGS, tracks_table

__all__ = [
    "DEFAULT_TRACK_ORDERING",
    "GRANULARITIES",
    "SALE_SOURCES",
    "TRACK_ORDERINGS",
    "Range",
    "audience",
    "dashboard",
    "discovery",
    "geographic",
    "live_session_owned",
    "live_sessions_of",
    "live_stats",
    "plays_series",
    "sales_report",
    "snapshot",
    "tracks_table",
]
