"""Education payloads: explicit fields, output separate from input (shared/API.md, Education).

Money is a decimal string plus ``currency``; times are ISO 8601 UTC.

The course payload is on every course list: it is built in one pass (:func:`course_item`) from a
list row or an instance alike; the declared DRF fields stay the schema and the reference
(``tests/education/test_course_payload.py`` compares both for every field).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.education.models import MONEY, Certificate, Course, Enrollment, Lesson, Review
from apps.education.selectors import CourseRow
from apps.education.services.certificates import person_name
from veza.api.representation import (
    OutputTimezoneMixin,
    iso_datetime,
    row_from_instance,
)


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return person_name(user)


_PRICE = serializers.DecimalField(**MONEY, read_only=True)
_RATING = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True)


def _course_row(course: Course) -> CourseRow:
    """A course instance (from ``courses_annotated``) as the row a list reads."""
    return row_from_instance(CourseRow, course, cover_image=course.cover_image.name)


def course_item(row: CourseRow, tz, request=None) -> dict:
    """A course's payload (``CourseOutputSerializer``'s fields) from its row: the one place the
    course dict is built. ``tz`` is the answer's zone (``output_timezone()``); with a
    ``request``, the cover's URL is absolute, as DRF's ``ImageField`` makes it."""
    cover = None
    if row.cover_image:
        cover = Course._meta.get_field("cover_image").storage.url(row.cover_image)
        if request is not None:
            cover = request.build_absolute_uri(cover)
    username = row.owner__username
    return {
        "id": str(row.id),
        "slug": row.slug,
        "title": row.title,
        "description": row.description,
        "cover_image": cover,
        "level": str(row.level),
        "price": _PRICE.to_representation(row.price),
        "currency": row.currency,
        "is_free": row.price == 0,
        "status": str(row.status),
        "published_at": iso_datetime(row.published_at, tz),
        "archived_at": iso_datetime(row.archived_at, tz),
        "creator": {
            "id": str(row.owner_id),
            "username": username,
            "display_name": ((row.owner__profile__display_name or "") or username or "")[:120],
        },
        "lesson_count": int(row.lesson_count),
        "total_duration": float(row.total_duration),
        "rating_average": (
            None if row.rating_average is None else _RATING.to_representation(row.rating_average)
        ),
        "rating_count": int(row.rating_count),
        "created_at": iso_datetime(row.created_at, tz),
        "updated_at": iso_datetime(row.updated_at, tz),
    }


class CourseOutputSerializer(OutputTimezoneMixin, serializers.ModelSerializer):
    # A plain string in the schema: OpenAPI's ``\w`` is ASCII, and slugs keep the title's script.
    slug = serializers.CharField(read_only=True)
    price = serializers.DecimalField(**MONEY, read_only=True)
    is_free = serializers.BooleanField(read_only=True)
    cover_image = serializers.ImageField(read_only=True, allow_null=True, use_url=True)
    creator = PersonSerializer(source="owner", read_only=True)
    lesson_count = serializers.IntegerField(read_only=True, help_text="Ready lessons.")
    total_duration = serializers.FloatField(read_only=True, help_text="Seconds, ready lessons.")
    rating_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Course
        fields = (
            "id",
            "slug",
            "title",
            "description",
            "cover_image",
            "level",
            "price",
            "currency",
            "is_free",
            "status",
            "published_at",
            "archived_at",
            "creator",
            "lesson_count",
            "total_duration",
            "rating_average",
            "rating_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def to_representation(self, instance):
        """The declared fields as DRF renders them, in one pass, from an instance or a row."""
        row = instance if isinstance(instance, CourseRow) else _course_row(instance)
        return course_item(row, self._output_timezone(), self.context.get("request"))


class LearnerStateSerializer(serializers.Serializer):
    enrolled_at = serializers.DateTimeField()
    lessons_total = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    percent = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    new_lessons_since_completion = serializers.IntegerField(
        help_text="Ready lessons not done by a learner who completed the course before they "
        "were added; completion and certificate stay as they were."
    )


class CourseDetailOutputSerializer(CourseOutputSerializer):
    enrollment = serializers.SerializerMethodField()

    class Meta(CourseOutputSerializer.Meta):
        fields = (*CourseOutputSerializer.Meta.fields, "enrollment")
        read_only_fields = fields

    @extend_schema_field(LearnerStateSerializer(allow_null=True))
    def get_enrollment(self, course):
        state = self.context.get("learner_state")
        return LearnerStateSerializer(state).data if state is not None else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["enrollment"] = self.get_enrollment(instance)
        return data


class LessonProgressStateSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)


class LessonOutputSerializer(serializers.ModelSerializer):
    stream_url = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = (
            "id",
            "title",
            "description",
            "position",
            "is_preview",
            "media_kind",
            "content_type",
            "duration",
            "status",
            "failure_reason",
            "stream_url",
            "progress",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_stream_url(self, lesson) -> str:
        return reverse("lesson-stream", kwargs={"lesson_id": lesson.pk})

    @extend_schema_field(LessonProgressStateSerializer(allow_null=True))
    def get_progress(self, lesson):
        rows = getattr(lesson, "caller_progress", None)
        if rows is None:
            return None
        if not rows:
            return {"percent": 0, "completed_at": None}
        return LessonProgressStateSerializer(rows[0]).data


class EnrollmentOutputSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    amount_paid = serializers.DecimalField(**MONEY, read_only=True)
    invoice_number = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = (
            "id",
            "course",
            "enrolled_at",
            "amount_paid",
            "currency",
            "invoice_number",
            "completed_at",
        )
        read_only_fields = fields

    def get_invoice_number(self, enrollment) -> str | None:
        sale = getattr(enrollment, "sale", None) if enrollment.amount_paid else None
        return sale.invoice.number if sale is not None else None


class ProgressOutputSerializer(serializers.Serializer):
    lesson = serializers.UUIDField()
    percent = serializers.IntegerField(help_text="Accepted progress (monotonic).")
    requested_percent = serializers.IntegerField()
    served_percent = serializers.IntegerField(
        help_text="Share of the lesson's media the server has sent to you (the cap)."
    )
    completed = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    course_completed = serializers.BooleanField()
    course_completed_at = serializers.DateTimeField(allow_null=True)


class CertificateOutputSerializer(serializers.ModelSerializer):
    course_slug = serializers.CharField(source="course.slug", read_only=True)
    status = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = (
            "code",
            "status",
            "revoked_at",
            "learner_name",
            "course_title",
            "course_slug",
            "creator_name",
            "lesson_count",
            "total_duration",
            "completed_at",
            "issued_at",
            "verification_url",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["valid", "revoked"]))
    def get_status(self, certificate) -> str:
        return "valid" if certificate.is_valid else "revoked"

    @extend_schema_field(OpenApiTypes.URI)
    def get_verification_url(self, certificate) -> str:
        path = reverse("certificate-verify", kwargs={"code": certificate.code})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ReviewOutputSerializer(serializers.ModelSerializer):
    author = PersonSerializer(source="user", read_only=True)
    learner_completed = serializers.SerializerMethodField(
        help_text="The author completed the course."
    )

    class Meta:
        model = Review
        fields = ("id", "rating", "body", "author", "learner_completed", "created_at", "updated_at")
        read_only_fields = fields

    def get_learner_completed(self, review) -> bool:
        return review.enrollment.completed_at is not None


class CourseSummarySerializer(serializers.ModelSerializer):
    slug = serializers.CharField(read_only=True)
    cover_image = serializers.ImageField(read_only=True, allow_null=True, use_url=True)
    creator = PersonSerializer(source="owner", read_only=True)

    class Meta:
        model = Course
        fields = ("id", "slug", "title", "cover_image", "status", "creator")
        read_only_fields = fields


class LearnerEnrollmentSerializer(serializers.ModelSerializer):
    """One row of the learner's dashboard."""

    course = CourseSummarySerializer(read_only=True)
    lessons_total = serializers.IntegerField(read_only=True)
    lessons_completed = serializers.IntegerField(read_only=True)
    percent = serializers.SerializerMethodField()
    new_lessons_since_completion = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = (
            "id",
            "course",
            "enrolled_at",
            "completed_at",
            "lessons_total",
            "lessons_completed",
            "percent",
            "new_lessons_since_completion",
        )
        read_only_fields = fields

    def get_percent(self, enrollment) -> int:
        total = enrollment.lessons_total
        return round(100 * enrollment.lessons_completed / total) if total else 0

    def get_new_lessons_since_completion(self, enrollment) -> int:
        if enrollment.completed_at is None:
            return 0
        return max(enrollment.lessons_total - enrollment.lessons_completed, 0)
