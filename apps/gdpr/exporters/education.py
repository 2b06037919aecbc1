"""Education: the courses the user took (enrollments with lesson progress), the certificates
they earned, their course reviews, and the courses they teach."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.education.models import Certificate, Course, Enrollment, LessonProgress, Review
from apps.gdpr.exporters.base import CHUNK_SIZE, Exporter


def enrollment_rows(user, cut_off):
    enrollments = (
        Enrollment.objects.filter(user=user, enrolled_at__lte=cut_off)
        .select_related("course")
        .prefetch_related(
            Prefetch(
                "progress",
                queryset=LessonProgress.objects.select_related("lesson").order_by(
                    "lesson__position"
                ),
            )
        )
        .order_by("enrolled_at", "id")
    )
    for enrollment in enrollments.iterator(chunk_size=200):
        yield {
            "id": str(enrollment.pk),
            "course": {"slug": enrollment.course.slug, "title": enrollment.course.title},
            "enrolled_at": enrollment.enrolled_at,
            "amount_paid": str(enrollment.amount_paid),
            "currency": enrollment.currency,
            "completed_at": enrollment.completed_at,
            "lessons": [
                {
                    "lesson": progress.lesson.title,
                    "percent": progress.percent,
                    "completed_at": progress.completed_at,
                }
                for progress in enrollment.progress.all()
            ],
        }


def certificate_rows(user, cut_off):
    certificates = Certificate.objects.filter(
        enrollment__user=user, issued_at__lte=cut_off
    ).order_by("issued_at", "id")
    for certificate in certificates.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "code": certificate.code,
            "learner_name": certificate.learner_name,
            "course_title": certificate.course_title,
            "creator_name": certificate.creator_name,
            "lesson_count": certificate.lesson_count,
            "total_duration_seconds": certificate.total_duration,
            "completed_at": certificate.completed_at,
            "issued_at": certificate.issued_at,
            "revoked_at": certificate.revoked_at,
        }


def review_rows(user, cut_off):
    reviews = (
        Review.objects.filter(user=user, created_at__lte=cut_off)
        .select_related("course")
        .order_by("created_at", "id")
    )
    for review in reviews.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": str(review.pk),
            "course": {"slug": review.course.slug, "title": review.course.title},
            "rating": review.rating,
            "body": review.body,
            "hidden_by_staff": review.is_hidden,
            "created_at": review.created_at,
            "updated_at": review.updated_at,
        }


def taught_course_rows(user, cut_off):
    courses = Course.objects.filter(owner=user, created_at__lte=cut_off).order_by("created_at")
    for course in courses.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": str(course.pk),
            "slug": course.slug,
            "title": course.title,
            "description": course.description,
            "status": course.status,
            "level": course.level,
            "price": str(course.price),
            "currency": course.currency,
            "published_at": course.published_at,
            "archived_at": course.archived_at,
            "created_at": course.created_at,
        }


EXPORTERS = [
    Exporter(
        "enrollments.jsonl",
        "The courses you enrolled in: price paid, completion and your progress per lesson.",
        enrollment_rows,
    ),
    Exporter(
        "certificates.jsonl",
        "Your certificates as issued (name, course, creator, lessons, duration, dates).",
        certificate_rows,
    ),
    Exporter(
        "course_reviews.jsonl",
        "The reviews you wrote of courses, with their rating.",
        review_rows,
    ),
    Exporter(
        "courses_taught.jsonl",
        "The courses you created as a teacher, with their status and price.",
        taught_course_rows,
    ),
]
