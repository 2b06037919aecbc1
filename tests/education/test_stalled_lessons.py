"""A lesson whose processing worker was lost is processed again, or failed after a few starts
(the job sweeper, veza.jobs)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.education import services
from apps.education.models import Lesson, LessonStatus
from tests.education.factories import LessonFactory

pytestmark = pytest.mark.django_db


def test_a_lesson_left_processing_past_its_deadline_is_claimed_again_by_the_resent_task(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    lesson = LessonFactory(
        status=LessonStatus.PROCESSING,
        processing_attempts=1,
        processing_deadline=now - timedelta(seconds=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.lessons_requeue_stalled(now=now)

    lesson.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0}
    # The factory's bytes are not media: the second run finishes the job, as failed.
    assert lesson.status == LessonStatus.FAILED
    assert lesson.failure_reason.startswith("Could not read the media")
    assert lesson.processing_attempts == 2
    assert AuditLog.objects.filter(action="lesson.processing.requeued").count() == 1


def test_a_processing_lesson_within_its_deadline_is_not_claimed_twice():
    lesson = LessonFactory(
        status=LessonStatus.PROCESSING,
        processing_attempts=1,
        processing_deadline=timezone.now() + timedelta(minutes=1),
    )

    services.lesson_process(lesson_id=lesson.pk)

    lesson.refresh_from_db()
    assert (lesson.status, lesson.processing_attempts) == (LessonStatus.PROCESSING, 1)


def test_a_lesson_that_keeps_losing_its_worker_is_failed_with_the_reason(settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    now = timezone.now()
    lesson = LessonFactory(
        status=LessonStatus.PROCESSING,
        processing_attempts=3,
        processing_deadline=now - timedelta(seconds=1),
    )

    counts = services.lessons_requeue_stalled(now=now)

    lesson = Lesson.objects.get(pk=lesson.pk)
    assert counts == {"requeued": 0, "failed": 1}
    assert lesson.status == LessonStatus.FAILED
    assert lesson.failure_reason.startswith("Started 3 times without finishing")
    assert AuditLog.objects.filter(action="lesson.processing.failed").count() == 1
