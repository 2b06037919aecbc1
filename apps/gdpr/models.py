"""Personal data: export archives (Art. 15/20) and account deletions (Art. 17).

Contract: shared/API.md "Personal data (GDPR)". The rules are in :mod:`apps.gdpr.services`;
what each domain exports and erases is in :mod:`apps.gdpr.exporters` and
:mod:`apps.gdpr.erasure`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import User


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired (file deleted)"


class DataExport(models.Model):
    """One export archive: requested, built in the background, downloadable for 7 days."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    requested_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff member who started it for a support request (not counted in the quota).",
    )
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=255, blank=True, help_text="Name in default storage.")
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes.")
    sha256 = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    # The build job (veza.jobs): how many times a worker started it, and when the job sweeper
    # sends it again (or fails it) if it is still pending or processing.
    attempts = models.PositiveSmallIntegerField(default=0)
    deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "data export"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ExportStatus.values), name="gdpr_export_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="gdpr_export_user_idx"),
            models.Index(
                fields=["expires_at"],
                name="gdpr_export_ready_idx",
                condition=models.Q(status="ready"),
            ),
            models.Index(fields=["status", "-created_at"], name="gdpr_export_status_idx"),
            models.Index(
                fields=["deadline"],
                name="gdpr_export_job_deadline_idx",
                condition=models.Q(status__in=["pending", "processing"]),
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.id} ({self.status})"


class AccountDeletion(models.Model):
    """An account's erasure: anonymised at ``requested_at``, finished at ``hard_deleted_at``.

    One row per account, never deleted, holding no personal data (ids, dates, counts): it is
    the erasure ledger in the database. The same facts are written to storage
    (:mod:`apps.gdpr.services.ledger`) so the erasure can be replayed after a database restore.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deletion"
    )
    requested_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff member who deleted the account for a support request.",
    )
    keep_public_tracks = models.BooleanField(default=False)
    pseudonym = models.CharField(
        max_length=64, help_text='Who kept public tracks are credited to ("Deleted user …").'
    )
    requested_at = models.DateTimeField(default=timezone.now)
    hard_delete_after = models.DateTimeField()
    hard_deleted_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="What each step did (counts).")

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "account deletion"
        indexes = [
            models.Index(
                fields=["hard_delete_after"],
                name="gdpr_deletion_due_idx",
                condition=models.Q(hard_deleted_at__isnull=True),
            ),
            models.Index(fields=["-requested_at"], name="gdpr_deletion_requested_idx"),
        ]

    def __str__(self) -> str:
        return f"deletion of {self.user_id}"


class DataSubject(User):
    """Accounts as the personal-data console shows them: staff start an export or a deletion
    from here for a support request (the accounts app sits below this one and cannot)."""

    class Meta:
        proxy = True
        verbose_name = "data subject"
