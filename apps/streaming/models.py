"""Playback events: one row per play, read by creator analytics (issue on analytics)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PlaySource(models.TextChoices):
    SEARCH = "search", "Search"
    FEED = "feed", "Feed"
    DISCOVER = "discover", "Discover"
    PLAYLIST = "playlist", "Playlist"
    LIBRARY = "library", "Library"
    DIRECT = "direct", "Direct"
    SHARE = "share", "Share link"


class PlayEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    track = models.ForeignKey("catalog.Track", on_delete=models.CASCADE, related_name="plays")
    # Denormalised owner of the track: creator analytics read "my plays" without a join.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plays_received"
    )
    listener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plays",
    )
    session_id = models.CharField(max_length=64, blank=True, help_text="Anonymous session.")
    client = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=16, choices=PlaySource.choices, default="direct")
    seconds_played = models.PositiveIntegerField(default=0)
    country = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["track", "-created_at"], name="streaming_play_track_idx"),
            models.Index(fields=["creator", "-created_at"], name="streaming_play_creator_idx"),
            models.Index(fields=["listener", "-created_at"], name="streaming_play_listener_idx"),
            models.Index(fields=["-created_at"], name="streaming_play_time_idx"),
        ]

    def __str__(self) -> str:
        return f"play {self.id} of {self.track_id}"
