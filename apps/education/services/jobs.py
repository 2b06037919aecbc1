"""Education's background job as the job sweeper sees it (:mod:`veza.jobs`)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from apps.education.models import Lesson, LessonStatus
from apps.education.services.common import courses_changed
from veza.jobs import StalledJobs, stalled_jobs_requeue

LESSON_PROCESSING = StalledJobs(
    name="lesson.processing",
    task="education.lesson_process",
    model=Lesson,
    active=Q(status__in=[LessonStatus.PENDING, LessonStatus.PROCESSING]),
    attempts_field="processing_attempts",
    deadline_field="processing_deadline",
    queued_since_field="updated_at",
    requeue={"status": LessonStatus.PENDING},
    fail=lambda reason, now: {
        "status": LessonStatus.FAILED,
        "failure_reason": reason[:255],
        "updated_at": now,
    },
    changed=lambda lesson_id: courses_changed(),
)


def lessons_requeue_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Lessons still pending or processing past their deadline are sent again, or failed after
    ``JOBS_MAX_ATTEMPTS`` starts (audited ``lesson.processing.requeued`` / ``.failed``)."""
    return stalled_jobs_requeue(jobs=LESSON_PROCESSING, now=now)
