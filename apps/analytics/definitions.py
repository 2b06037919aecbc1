"""What the analytics count, in one place (README "Creator analytics", definitions).

The rollup job and the not-yet-rolled tail both go through these functions, so a number is the
same whichever path it took.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from apps.analytics.models import BUCKET_MINUTES
from apps.streaming.models import PlaySource

PLAY_MIN_SECONDS = 30
BUCKET = timedelta(minutes=BUCKET_MINUTES)

# Active: the listener went looking for the music. Programmed: Veza put it in front of them.
ACTIVE_SOURCES = (
    PlaySource.DIRECT,
    PlaySource.SEARCH,
    PlaySource.LIBRARY,
    PlaySource.SHARE,
)
PROGRAMMED_SOURCES = (PlaySource.FEED, PlaySource.DISCOVER, PlaySource.PLAYLIST)


def play_threshold(duration: float | None) -> int:
    """Seconds a counted event needs to be a play: 30, or the whole track when it is shorter
    (``seconds_played`` is capped at the length rounded up, so the same rounding here)."""
    if not duration:
        return PLAY_MIN_SECONDS
    return min(PLAY_MIN_SECONDS, math.ceil(duration))


def is_play(*, counted: bool, seconds_played: int, duration: float | None) -> bool:
    """A play: an event the play counter counted (not the creator's own, not a repeat within
    the window) that lasted at least :func:`play_threshold`."""
    return counted and seconds_played >= play_threshold(duration)


def listener_key(*, listener_id, session_id: str, event_id: int) -> int:
    """Who listened: the account; else the anonymous client's session; else, with neither,
    the event itself (one listener per such play: two of them cannot be told apart).

    Stored as the first 64 bits of a SHA-256 of that identity: 8 bytes that hash and compare
    fast in ``COUNT(DISTINCT)``, and no account or session id copied into the analytics
    tables. Two listeners share a key with probability ~n²/2⁶⁵ (3·10⁻⁸ for a million).
    """
    if listener_id is not None:
        identity = f"u:{listener_id}"
    elif session_id:
        identity = f"s:{session_id}"
    else:
        identity = f"e:{event_id}"
    return int.from_bytes(hashlib.sha256(identity.encode()).digest()[:8], "big", signed=True)


def source_class(source: str) -> str:
    return "active" if source in ACTIVE_SOURCES else "programmed"


def bucket_of(moment: datetime) -> datetime:
    """The UTC start of the 15-minute bucket holding ``moment``."""
    moment = moment.astimezone(UTC)
    return moment.replace(
        minute=moment.minute - moment.minute % BUCKET_MINUTES, second=0, microsecond=0
    )


class Fact(NamedTuple):
    """One counted playback event as the analytics see it (the rollups' unit)."""

    creator_id: object
    track_id: object
    bucket: datetime
    source: str
    country: str
    listener: int
    plays: int
    seconds: int


# The ``PlayEvent`` columns :func:`fact_from_row` reads, in order (``values_list``).
EVENT_COLUMNS = (
    "id",
    "creator_id",
    "track_id",
    "created_at",
    "source",
    "country",
    "seconds_played",
    "listener_id",
    "session_id",
    "track__duration",
)


def fact_from_row(row) -> Fact:
    """A counted event's row (:data:`EVENT_COLUMNS`) as a :class:`Fact`: its bucket, its
    listener, whether it is a play, and its listening time (every counted second, play or
    not: a listener who skips after ten seconds did listen ten seconds)."""
    (event_id, creator_id, track_id, created_at, source, country) = row[:6]
    seconds, user_id, session, duration = row[6:]
    play = 1 if is_play(counted=True, seconds_played=seconds, duration=duration) else 0
    return Fact(
        creator_id,
        track_id,
        bucket_of(created_at),
        source,
        country,
        listener_key(listener_id=user_id, session_id=session, event_id=event_id),
        play,
        seconds,
    )
