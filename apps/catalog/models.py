"""Catalog tables: tracks, playlists, follows, libraries, share tokens, moderation reports.

Rules live in ``services.py``; this module holds shapes, constraints and indexes (every field a
list filters or orders by has one). The full-text vector of a track is maintained by a
PostgreSQL trigger (migration ``0002``) so admin edits and bulk updates keep search right.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    UNLISTED = "unlisted", "Unlisted"
    PRIVATE = "private", "Private"


class ProcessingStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ModerationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    HIDDEN = "hidden", "Hidden"
    TAKEN_DOWN = "taken_down", "Taken down"


class HlsStatus(models.TextChoices):
    NONE = "none", "Not transcoded"
    PENDING = "pending", "Transcoding"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Track(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracks"
    )
    title = models.CharField(max_length=200)
    artist_name = models.CharField(max_length=200, blank=True)
    album = models.CharField(max_length=200, blank=True)
    genre = models.CharField(max_length=64, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Lower-case tag strings.")
    description = models.TextField(max_length=5000, blank=True)
    audio_file = models.FileField(max_length=255, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    container = models.CharField(max_length=32, blank=True, help_text="Sniffed container format.")
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    bitrate = models.PositiveIntegerField(null=True, blank=True, help_text="Bits per second.")
    codec = models.CharField(max_length=32, blank=True)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes.")
    sha256 = models.CharField(max_length=64, blank=True)
    cover_image = models.ImageField(upload_to="covers/%Y/%m/", max_length=255, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        max_length=16, choices=ProcessingStatus.choices, default=ProcessingStatus.PROCESSING
    )
    failure_reason = models.CharField(max_length=255, blank=True)
    moderation_status = models.CharField(
        max_length=16, choices=ModerationStatus.choices, default=ModerationStatus.ACTIVE
    )
    hls_status = models.CharField(max_length=16, choices=HlsStatus.choices, default=HlsStatus.NONE)
    # The two background jobs of a track (veza.jobs): how many times a worker started each,
    # and when the job sweeper sends a still unfinished one again (or fails it).
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_deadline = models.DateTimeField(null=True, blank=True)
    hls_attempts = models.PositiveSmallIntegerField(default=0)
    hls_deadline = models.DateTimeField(null=True, blank=True)
    play_count = models.PositiveBigIntegerField(default=0)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="catalog_track_visibility_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ProcessingStatus.values),
                name="catalog_track_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(moderation_status__in=ModerationStatus.values),
                name="catalog_track_moderation_valid",
            ),
        ]
        indexes = [
            # The public list: ready, public, active, newest first (and its other orderings).
            models.Index(
                fields=["-created_at"],
                name="catalog_track_public_new_idx",
                condition=models.Q(
                    status=ProcessingStatus.READY,
                    visibility=Visibility.PUBLIC,
                    moderation_status=ModerationStatus.ACTIVE,
                ),
            ),
            models.Index(fields=["owner", "-created_at"], name="catalog_track_owner_idx"),
            models.Index(fields=["genre", "-created_at"], name="catalog_track_genre_idx"),
            models.Index(fields=["-play_count"], name="catalog_track_plays_idx"),
            models.Index(fields=["title"], name="catalog_track_title_idx"),
            models.Index(fields=["duration"], name="catalog_track_duration_idx"),
            models.Index(fields=["status", "moderation_status"], name="catalog_track_state_idx"),
            # The job sweeper's scans: unfinished jobs only.
            models.Index(
                fields=["processing_deadline"],
                name="catalog_track_processing_idx",
                condition=models.Q(status=ProcessingStatus.PROCESSING),
            ),
            models.Index(
                fields=["hls_deadline"],
                name="catalog_track_hls_pending_idx",
                condition=models.Q(hls_status=HlsStatus.PENDING),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_publicly_listed(self) -> bool:
        return (
            self.status == ProcessingStatus.READY
            and self.visibility == Visibility.PUBLIC
            and self.moderation_status == ModerationStatus.ACTIVE
        )


class Playlist(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="catalog_playlist_owner_idx"),
            models.Index(fields=["visibility", "-created_at"], name="catalog_playlist_vis_idx"),
            models.Index(fields=["title"], name="catalog_playlist_title_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class PlaylistEntry(models.Model):
    """One track at one position of a playlist; positions are dense from 0."""

    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="playlist_entries")
    position = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "playlist entries"
        ordering = ["playlist", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["playlist", "position"],
                name="catalog_entry_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(
                fields=["playlist", "track"], name="catalog_entry_track_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.playlist_id}#{self.position}"


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="catalog_follow_unique"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="catalog_follow_not_self"
            ),
        ]
        indexes = [models.Index(fields=["followee"], name="catalog_follow_followee_idx")]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.followee_id}"


class LibraryEntry(models.Model):
    """A track a listener saved to their library.

    ``share`` is the link the track was opened through when it was saved (a private track of
    someone else): the library lists it only while that link still grants it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="saved_by")
    share = models.ForeignKey(
        "ShareToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "library entry"
        verbose_name_plural = "library entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "track"], name="catalog_library_unique"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="catalog_library_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} saved {self.track_id}"


class ShareToken(models.Model):
    """Unlocks one private track or playlist for anyone holding the token.

    Only the SHA-256 of the token is stored: a database leak does not leak working links.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.CASCADE, related_name="share_tokens"
    )
    playlist = models.ForeignKey(
        Playlist, null=True, blank=True, on_delete=models.CASCADE, related_name="share_tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_tokens"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "share link"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(track__isnull=False, playlist__isnull=True)
                    | models.Q(track__isnull=True, playlist__isnull=False)
                ),
                name="catalog_share_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"share {self.id}"

    def is_valid(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ReportReason(models.TextChoices):
    COPYRIGHT = "copyright", "Copyright infringement"
    ABUSE = "abuse", "Hateful or abusive"
    SPAM = "spam", "Spam or misleading"
    OTHER = "other", "Other"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTIONED = "actioned", "Actioned"
    DISMISSED = "dismissed", "Dismissed"


class Report(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_filed"
    )
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    details = models.TextField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_resolved",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open report per reporter and track: repeated clicks do not flood the queue.
            models.UniqueConstraint(
                fields=["track", "reporter"],
                condition=models.Q(status=ReportStatus.OPEN),
                name="catalog_report_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="catalog_report_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"report {self.id} on {self.track_id}"
