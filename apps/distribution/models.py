"""Distribution and royalties: what was sent where, what each platform answered, what it paid.

Contract: shared/API.md "Distribution and royalties". The rules live in
:mod:`apps.distribution.services`; this module holds tables and the invariants the database
keeps (one live release per track and platform, one ISRC per recording, a royalty line counted
once however often its report is imported).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

#: Reported earnings keep the distributor's precision (reports carry fractions of a cent).
EARNINGS = {"max_digits": 24, "decimal_places": 12}


class Platform(models.TextChoices):
    SPOTIFY = "spotify", "Spotify"
    APPLE_MUSIC = "apple_music", "Apple Music"
    DEEZER = "deezer", "Deezer"


class ReleaseStatus(models.TextChoices):
    """One platform's status of one distribution (the transition table is in
    :mod:`apps.distribution.services.statuses`)."""

    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending (queued for the provider)"
    SUBMITTED = "submitted", "Submitted"
    PROCESSING = "processing", "Processing at the platform"
    LIVE = "live", "Live"
    REJECTED = "rejected", "Rejected by the platform"
    TAKEDOWN_REQUESTED = "takedown_requested", "Takedown requested"
    TAKEN_DOWN = "taken_down", "Taken down"
    FAILED = "failed", "Failed (provider error)"


#: A release in one of these states occupies its (track, platform): a second one is refused.
OCCUPYING_STATUSES = (
    ReleaseStatus.DRAFT,
    ReleaseStatus.PENDING,
    ReleaseStatus.SUBMITTED,
    ReleaseStatus.PROCESSING,
    ReleaseStatus.LIVE,
    ReleaseStatus.TAKEDOWN_REQUESTED,
)
#: A release at the platform or on its way there: its track may not be deleted (the music
#: would stay live with Veza no longer knowing it sent it); drafts, rejected, failed and
#: taken-down releases do not hold the track.
AT_PLATFORM_STATUSES = (
    ReleaseStatus.PENDING,
    ReleaseStatus.SUBMITTED,
    ReleaseStatus.PROCESSING,
    ReleaseStatus.LIVE,
    ReleaseStatus.TAKEDOWN_REQUESTED,
)
#: States the provider moves on its own; the scheduler asks it about them.
POLLED_STATUSES = (
    ReleaseStatus.PENDING,
    ReleaseStatus.SUBMITTED,
    ReleaseStatus.PROCESSING,
    ReleaseStatus.TAKEDOWN_REQUESTED,
)


class ChangeSource(models.TextChoices):
    OWNER = "owner", "Track owner"
    STAFF = "staff", "Staff"
    PROVIDER = "provider", "Provider"
    SYSTEM = "system", "Veza (scheduled rule)"


class TrackIsrc(models.Model):
    """The ISRC of a recording: one per track, unique across the platform, kept forever (a
    re-release after a takedown reuses it)."""

    track = models.OneToOneField(
        "catalog.Track", on_delete=models.CASCADE, related_name="isrc_code", primary_key=True
    )
    isrc = models.CharField(max_length=12, unique=True, help_text="CC-XXX-YY-NNNNN, no dashes.")
    is_generated = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "ISRC"

    def __str__(self) -> str:
        return self.isrc


class IsrcCounter(models.Model):
    """The last designation code issued under ``ISRC_PREFIX`` per year, locked while one is
    issued (at most 99,999 per prefix and year)."""

    prefix = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="distribution_isrc_year"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year % 100:02d}: {self.last_number}"


class Distribution(models.Model):
    """One submission of a track to one or more platforms; each platform is a release."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    track = models.ForeignKey(
        "catalog.Track", on_delete=models.CASCADE, related_name="distributions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="distributions"
    )
    isrc = models.CharField(max_length=12)
    is_explicit = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="dist_owner_idx"),
            models.Index(fields=["owner", "track"], name="dist_owner_track_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.isrc} ({self.track_id})"


class PlatformRelease(models.Model):
    """A distribution on one platform, with that platform's status."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    distribution = models.ForeignKey(
        Distribution, on_delete=models.CASCADE, related_name="releases"
    )
    track = models.ForeignKey("catalog.Track", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    status = models.CharField(
        max_length=24, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    status_reason = models.CharField(max_length=500, blank=True)
    provider = models.CharField(max_length=32, blank=True)
    provider_reference = models.CharField(max_length=128, blank=True)
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    poll_attempts = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    live_at = models.DateTimeField(null=True, blank=True)
    takedown_requested_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["distribution", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "platform"],
                condition=Q(status__in=OCCUPYING_STATUSES),
                name="distribution_one_live_release_per_track_platform",
            ),
            models.UniqueConstraint(
                fields=["distribution", "platform"], name="distribution_release_platform_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReleaseStatus.values),
                name="distribution_release_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(platform__in=Platform.values),
                name="distribution_release_platform_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="dist_release_due_idx",
                condition=Q(status__in=POLLED_STATUSES),
            ),
            models.Index(fields=["status", "platform"], name="dist_release_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}: {self.status}"


class StatusChange(models.Model):
    """The audit trail of a release: every transition, who or what made it, and why."""

    release = models.ForeignKey(PlatformRelease, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=24, choices=ReleaseStatus.choices)
    to_status = models.CharField(max_length=24, choices=ReleaseStatus.choices)
    source = models.CharField(max_length=16, choices=ChangeSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["release", "created_at"], name="dist_history_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


# --- Royalties ---------------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


#: An import a worker still has to finish (the job sweeper watches these).
IMPORT_ACTIVE_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class RoyaltyImport(models.Model):
    """One distributor report as imported, with its result. The file's SHA-256 is unique: the
    same file imported again adds nothing, and two uploads of it at once make one import.

    A small report is imported within its request (``done`` at once). A big one is stored
    (``file``) and imported by a task (``queued`` → ``running`` → ``done`` or ``failed``), a
    job of :mod:`veza.jobs`; its stored file is deleted once imported, kept while it failed so
    staff can retry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    file = models.CharField(
        max_length=255, blank=True, help_text="The stored report while it awaits its import."
    )
    error = models.JSONField(
        default=dict, blank=True, help_text="Why a failed import failed: {code, message, details}."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The import job (veza.jobs): how many times a worker started it, and when the job sweeper
    # sends it again (or fails it) if it is still queued or running.
    attempts = models.PositiveSmallIntegerField(default=0)
    deadline = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lines_total = models.PositiveIntegerField(default=0)
    lines_imported = models.PositiveIntegerField(default=0)
    lines_duplicate = models.PositiveIntegerField(default=0)
    lines_unmatched = models.PositiveIntegerField(default=0)
    lines_error = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first errors: [{line, errors: {column: [..]}}]."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values),
                name="distribution_import_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="dist_import_idx"),
            models.Index(fields=["status", "-created_at"], name="dist_import_status_idx"),
            models.Index(
                fields=["deadline"],
                name="dist_import_job_deadline_idx",
                condition=Q(status__in=IMPORT_ACTIVE_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


class RoyaltyLine(models.Model):
    """One line of a report. ``(line_hash, occurrence)`` is unique: ``line_hash`` is the
    SHA-256 digest of the line's normalised values and ``occurrence`` counts identical lines within
    one file, so a repeated line is kept as many times as the file has it, and a re-sent
    report adds nothing. ``track`` is empty while the ISRC matches no track (the admin queue).
    """

    id = models.BigAutoField(primary_key=True)
    # Written by the import in the same transaction as its import row, a million at a time:
    # no per-row database check of this key (Django still protects the import on delete).
    royalty_import = models.ForeignKey(
        RoyaltyImport, on_delete=models.PROTECT, related_name="lines", db_constraint=False
    )
    line_number = models.PositiveIntegerField()
    line_hash = models.BinaryField(max_length=32, help_text="SHA-256 digest (32 bytes).")
    occurrence = models.PositiveIntegerField(default=1)
    reporting_date = models.DateField(null=True, blank=True)
    sale_month = models.DateField(help_text="First day of the month the sales happened.")
    platform = models.CharField(max_length=32, help_text="Normalised store name.")
    store = models.CharField(max_length=64, help_text="The store as reported.")
    country = models.CharField(max_length=2, blank=True)
    artist = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    isrc = models.CharField(max_length=12)
    upc = models.CharField(max_length=14, blank=True)
    quantity = models.BigIntegerField(default=0)
    earnings = models.DecimalField(**EARNINGS)
    currency = models.CharField(max_length=3)
    track = models.ForeignKey(
        "catalog.Track", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    # Who is paid the line when no split applies: the track's owner when it was matched (kept
    # if the track is deleted later: what was earned was earned). A split line is paid through
    # its ``shares`` instead. Set by the import's own join, so no per-row database check.
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    is_split = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line_hash", "occurrence"], name="distribution_royalty_line_once"
            ),
        ]
        indexes = [
            # Equal keys per import: PostgreSQL's deduplicated B-tree stays tiny and cheap to
            # fill while a report of a million lines goes in.
            models.Index(fields=["royalty_import"], name="dist_line_import_idx"),
            models.Index(fields=["isrc"], name="dist_line_unmatched_idx", condition=Q(track=None)),
            models.Index(fields=["track"], name="dist_line_track_idx"),
            models.Index(
                fields=["payee", "sale_month"],
                name="dist_line_payee_idx",
                condition=Q(is_split=False, payee__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.isrc} {self.sale_month:%Y-%m} {self.platform}"


class RoyaltyShare(models.Model):
    """What one person earns from one line of a split track: the split version in force for
    the line's sale month, applied in minor units with the largest-remainder rule (the shares
    of a line always add up to its earnings). Written when a line is matched, never
    recomputed. Lines of tracks without a split are paid to their ``payee`` whole."""

    # Written with its line, in the same transaction (see ``RoyaltyLine.royalty_import``).
    line = models.ForeignKey(
        RoyaltyLine, on_delete=models.CASCADE, related_name="shares", db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="royalty_shares"
    )
    # A deleted track's statements stay: what was earned was earned. A copy of the line's
    # track (no database constraint: the line's own is checked, and a million shares of a
    # report would be checked twice).
    track = models.ForeignKey(
        "catalog.Track",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    sale_month = models.DateField()
    platform = models.CharField(max_length=32)
    country = models.CharField(max_length=2, blank=True)
    quantity = models.BigIntegerField(default=0)
    amount = models.DecimalField(**EARNINGS)
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "user"], name="distribution_share_once"),
        ]
        indexes = [
            models.Index(fields=["user", "sale_month"], name="dist_share_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.amount} {self.currency}"


class PlatformCoverage(models.Model):
    """The latest sale month a platform has reported ("reported through"): platforms report
    months late, and "not yet reported" is not "earned nothing"."""

    platform = models.CharField(max_length=32, primary_key=True)
    reported_through = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.platform} through {self.reported_through:%Y-%m}"


class RoyaltySplit(models.Model):
    """A version of a track's split, in force from ``effective_from`` (a sale month) until
    the next version. Versions are never edited: past statements never change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    track = models.ForeignKey("catalog.Track", on_delete=models.CASCADE, related_name="+")
    effective_from = models.DateField(help_text="First day of a sale month.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["track", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "effective_from"], name="distribution_split_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_id} from {self.effective_from:%Y-%m}"


class RoyaltySplitShare(models.Model):
    split = models.ForeignKey(RoyaltySplit, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["split", "-percent", "user"]
        constraints = [
            models.UniqueConstraint(fields=["split", "user"], name="distribution_split_user_once"),
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=100),
                name="distribution_split_percent_range",
            ),
        ]
        indexes = [models.Index(fields=["user"], name="dist_split_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.percent} %"
