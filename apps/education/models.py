"""Education tables (shared/API.md, Education): courses, lessons, enrollments, progress, sales,
certificates and reviews. The database keeps every "at most one" and every range; the rules
that move rows between states live in :mod:`apps.education.services`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 10, "decimal_places": 2}


class CourseLevel(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    ALL_LEVELS = "all_levels", "All levels"


class CourseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class LessonStatus(models.TextChoices):
    """Where the lesson's media is in its processing (the same pipeline as tracks)."""

    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class MediaKind(models.TextChoices):
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"


class Course(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        allow_unicode=True,
        help_text="From the title; frozen once the course is published (its URL stays).",
    )
    description = models.TextField(blank=True)
    cover_image = models.ImageField(upload_to="courses/covers/%Y/%m/", blank=True)
    level = models.CharField(
        max_length=16, choices=CourseLevel.choices, default=CourseLevel.BEGINNER
    )
    price = models.DecimalField(**MONEY, default=0, help_text="0 means free.")
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(
        max_length=12, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Review aggregate, written in the same transaction as the review (never recomputed later).
    rating_count = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="education_course_price_gte_0"),
            models.CheckConstraint(
                condition=Q(status__in=CourseStatus.values), name="education_course_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=CourseLevel.values), name="education_course_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating_total__lte=models.F("rating_count") * 5),
                name="education_course_rating_total_in_range",
            ),
        ]
        indexes = [
            # The public list: published courses in each whitelisted order.
            models.Index(fields=["status", "-created_at", "-id"], name="edu_course_created_idx"),
            models.Index(fields=["status", "-published_at"], name="edu_course_published_idx"),
            models.Index(fields=["status", "title"], name="edu_course_title_idx"),
            models.Index(fields=["status", "price"], name="edu_course_price_idx"),
            models.Index(fields=["status", "-rating_average"], name="edu_course_rating_idx"),
            models.Index(fields=["status", "-rating_count"], name="edu_course_rating_count_idx"),
            models.Index(fields=["status", "level"], name="edu_course_level_idx"),
            models.Index(fields=["owner", "status"], name="edu_course_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price == 0


class Lesson(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(help_text="1-based order inside the course.")
    is_preview = models.BooleanField(
        default=False, help_text="A free preview: anyone may play it, enrolled or not."
    )
    media_file = models.FileField(upload_to="lessons/", blank=True)
    media_kind = models.CharField(max_length=8, choices=MediaKind.choices, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    container = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, once processed.")
    status = models.CharField(
        max_length=12, choices=LessonStatus.choices, default=LessonStatus.PENDING
    )
    failure_reason = models.CharField(max_length=255, blank=True)
    # The processing job (veza.jobs): how many times a worker started it, and when the job
    # sweeper sends it again (or fails it) if it is still pending or processing.
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_deadline = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            # Deferred: a reorder or a delete rewrites several positions in one transaction.
            models.UniqueConstraint(
                fields=["course", "position"],
                name="education_lesson_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="education_lesson_position_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LessonStatus.values), name="education_lesson_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["course", "status", "position"], name="edu_lesson_status_idx"),
            models.Index(fields=["status", "updated_at"], name="edu_lesson_processing_idx"),
            models.Index(
                fields=["processing_deadline"],
                name="edu_lesson_job_deadline_idx",
                condition=Q(status__in=["pending", "processing"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Enrollment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    amount_paid = models.DecimalField(**MONEY, default=0)
    currency = models.CharField(max_length=3, default="USD")
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="Frozen once set: later lessons do not undo it."
    )
    lessons_at_completion = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="education_one_enrollment"),
        ]
        indexes = [
            models.Index(fields=["user", "-enrolled_at"], name="edu_enrollment_user_idx"),
            models.Index(fields=["course", "-enrolled_at"], name="edu_enrollment_course_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.course_id}"


class LessonProgress(models.Model):
    """A learner's progress in one lesson, and what the server really sent of its media.

    ``served_ranges`` is a sorted list of disjoint half-open byte intervals ``[start, end)``
    of the lesson's media file that ``/lessons/{id}/stream`` delivered to this learner;
    ``served_bytes`` is their total. The accepted ``percent`` never exceeds
    ``served_bytes / size`` (README, "Education": how progress is attested).
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    percent = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    served_ranges = models.JSONField(default=list, blank=True)
    served_bytes = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lesson"], name="education_one_progress_per_lesson"
            ),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="education_progress_percent_lte_100"
            ),
        ]
        indexes = [
            models.Index(fields=["lesson", "completed_at"], name="edu_progress_lesson_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.percent}% of {self.lesson_id}"


class CourseSale(models.Model):
    """One paid enrollment, for the creator's sales analytics (read there, written here)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sales")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_purchases"
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_sales"
    )
    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="sale")
    invoice = models.OneToOneField(
        "billing.Invoice", on_delete=models.PROTECT, related_name="course_sale"
    )
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    sold_at = models.DateTimeField()

    class Meta:
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="education_sale_amount_gt_0"),
        ]
        indexes = [
            models.Index(fields=["creator", "-sold_at"], name="edu_sale_creator_idx"),
            models.Index(fields=["course", "-sold_at"], name="edu_sale_course_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.amount} {self.currency}"


class Certificate(models.Model):
    """Issued once per completed enrollment; everything shown on it is copied at issue time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="certificate"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(max_length=64, unique=True, help_text="Random, 192 bits.")
    learner_name = models.CharField(max_length=120)
    course_title = models.CharField(max_length=200)
    creator_name = models.CharField(max_length=120)
    lesson_count = models.PositiveIntegerField()
    total_duration = models.FloatField(help_text="Seconds of the completed lessons.")
    completed_at = models.DateTimeField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=255, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["course", "-issued_at"], name="edu_certificate_course_idx"),
            models.Index(fields=["revoked_at"], name="edu_certificate_revoked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.course_title} — {self.learner_name}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class Review(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_reviews"
    )
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by staff (abuse).")
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="education_one_review"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="education_review_rating_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["course", "is_hidden", "-created_at"], name="edu_review_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.course_id}"
