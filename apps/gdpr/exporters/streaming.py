"""Streaming: the user's playback history."""

from __future__ import annotations

from apps.gdpr.exporters.base import CHUNK_SIZE, Exporter
from apps.streaming.models import PlayEvent


def playback_rows(user, cut_off):
    events = (
        PlayEvent.objects.filter(listener=user, created_at__lte=cut_off)
        .order_by("created_at", "id")
        .values(
            "id",
            "track_id",
            "track__title",
            "source",
            "seconds_played",
            "country",
            "client",
            "counted",
            "created_at",
        )
    )
    for event in events.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": event["id"],
            "track_id": str(event["track_id"]),
            "track_title": event["track__title"],
            "source": event["source"],
            "seconds_played": event["seconds_played"],
            "country": event["country"],
            "client": event["client"],
            "counted": event["counted"],
            "played_at": event["created_at"],
        }


EXPORTERS = [
    Exporter(
        "playback_history.jsonl",
        "Every play you made: which track, when, for how long, from where in the app, and "
        "whether it counted toward the track's plays.",
        playback_rows,
    ),
]
