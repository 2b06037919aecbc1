"""Playback events: one row per play, read by trending and creator analytics."""

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


class UncountedReason(models.TextChoices):
    """Why a recorded play did not move ``play_count`` or trending (empty: it counted)."""

    DUPLICATE = "duplicate", "Same listener and track within the window"
    OWN_TRACK = "own_track", "The creator playing their own track"
    UNVERIFIED = "unverified", "Duplicate check unavailable (shared cache down)"


class PlayEvent(models.Model):
    """Every accepted playback event, counted or not (README "Security model", play counts).

    ``counted`` rows are the plays: they moved ``Track.play_count`` and feed trending and
    creator analytics; the others are kept for listening analytics with their reason.
    """

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
    source = models.CharField(max_length=16, choices=PlaySource.choices, default=PlaySource.DIRECT)
    seconds_played = models.PositiveIntegerField(default=0)
    country = models.CharField(max_length=2, blank=True)
    counted = models.BooleanField(default=True)
    uncounted_reason = models.CharField(
        max_length=16, choices=UncountedReason.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["track", "-created_at"], name="streaming_play_track_idx"),
            models.Index(fields=["creator", "-created_at"], name="streaming_play_creator_idx"),
            models.Index(fields=["listener", "-created_at"], name="streaming_play_listener_idx"),
            models.Index(fields=["-created_at"], name="streaming_play_time_idx"),
            # Trending and analytics read counted plays of a track in a time range.
            models.Index(
                fields=["track", "-created_at"],
                name="streaming_play_counted_idx",
                condition=models.Q(counted=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(counted=True, uncounted_reason="")
                    | (models.Q(counted=False) & ~models.Q(uncounted_reason=""))
                ),
                name="streaming_play_reason_iff_uncounted",
            ),
        ]

    def __str__(self) -> str:
        return f"play {self.id} of {self.track_id}"
