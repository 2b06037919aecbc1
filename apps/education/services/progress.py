"""Progress the server can believe (shared/API.md, POST /lessons/{id}/progress).

The client says how far it got (``percent``); the server accepts at most the share of the
lesson's media file that it really sent to this learner through ``/lessons/{id}/stream``
(byte intervals merged per learner and lesson, see :class:`LessonProgress`). Dragging the
scrubber to the end therefore completes nothing: only bytes that left the server count.
Progress never goes down; at ``EDUCATION_LESSON_COMPLETION_PERCENT`` (90) the lesson is
completed, and the enrollment is completed when every ready lesson of the course is.
Changelog: "Progress tracking with auto-completion at 90%".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.education.models import Enrollment, Lesson, LessonProgress, LessonStatus

#: A learner's served intervals per lesson are capped: a client asking for thousands of tiny
#: disjoint ranges cannot grow the row without bound (extra ranges then simply do not count).
MAX_SERVED_INTERVALS = 512


def served_ranges_merge(ranges: list[list[int]], start: int, end: int) -> list[list[int]]:
    """Add ``[start, end)`` to sorted disjoint intervals, merging overlapping and adjacent ones."""
    merged: list[list[int]] = []
    placed = False
    for low, high in ranges:
        if high < start:
            merged.append([low, high])
        elif end < low:
            if not placed:
                merged.append([start, end])
                placed = True
            merged.append([low, high])
        else:
            start, end = min(low, start), max(high, end)
    if not placed:
        merged.append([start, end])
    merged.sort()
    return merged


def served_percent(*, served_bytes: int, size: int) -> int:
    """The whole percent of the file that was sent (rounded down)."""
    if size <= 0:
        return 0
    return min(100, math.floor(100 * served_bytes / size))


def _progress_locked(*, enrollment_id, lesson_id) -> LessonProgress:
    progress, _ = LessonProgress.objects.get_or_create(
        enrollment_id=enrollment_id, lesson_id=lesson_id
    )
    return LessonProgress.objects.select_for_update().get(pk=progress.pk)


@transaction.atomic
def lesson_media_served_record(*, enrollment_id, lesson_id, start: int, length: int) -> None:
    """Remember that bytes ``[start, start + length)`` of the lesson's media reached this
    learner (called by the stream response once its body is closed, with what was read)."""
    if length <= 0:
        return
    progress = _progress_locked(enrollment_id=enrollment_id, lesson_id=lesson_id)
    ranges = served_ranges_merge(list(progress.served_ranges or []), start, start + length)
    if len(ranges) > MAX_SERVED_INTERVALS:
        return
    progress.served_ranges = ranges
    progress.served_bytes = sum(high - low for low, high in ranges)
    progress.save(update_fields=["served_ranges", "served_bytes", "updated_at"])


@dataclass(frozen=True)
class ProgressResult:
    progress: LessonProgress
    enrollment: Enrollment
    requested: int
    served_percent: int
    lesson_completed_now: bool
    course_completed_now: bool


def _enrollment_complete_if_done(*, enrollment: Enrollment, now: datetime) -> bool:
    ready = set(
        Lesson.objects.filter(
            course_id=enrollment.course_id, status=LessonStatus.READY
        ).values_list("pk", flat=True)
    )
    done = set(
        LessonProgress.objects.filter(
            enrollment=enrollment, completed_at__isnull=False, lesson_id__in=ready
        ).values_list("lesson_id", flat=True)
    )
    if not ready or ready != done:
        return False
    updated = Enrollment.objects.filter(pk=enrollment.pk, completed_at__isnull=True).update(
        completed_at=now, lessons_at_completion=len(ready)
    )
    return bool(updated)


@transaction.atomic
def lesson_progress_record(
    *, enrollment: Enrollment, lesson: Lesson, percent: int, now: datetime | None = None
) -> ProgressResult:
    """Accept ``min(percent, served share)``, never below what was already accepted.

    The enrollment row is locked first: two lessons completed at the same moment are judged one
    after the other, so the second sees the first and completes the course.
    """
    now = now or timezone.now()
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    progress = _progress_locked(enrollment_id=enrollment.pk, lesson_id=lesson.pk)
    cap = served_percent(served_bytes=progress.served_bytes, size=lesson.size)
    accepted = max(progress.percent, min(percent, cap))
    lesson_completed_now = False
    if accepted != progress.percent:
        progress.percent = accepted
    if accepted >= settings.EDUCATION_LESSON_COMPLETION_PERCENT and progress.completed_at is None:
        progress.completed_at = now
        lesson_completed_now = True
    progress.save(update_fields=["percent", "completed_at", "updated_at"])
    course_completed_now = False
    if lesson_completed_now and enrollment.completed_at is None:
        course_completed_now = _enrollment_complete_if_done(enrollment=enrollment, now=now)
        if course_completed_now:
            enrollment.refresh_from_db()
    return ProgressResult(
        progress=progress,
        enrollment=enrollment,
        requested=percent,
        served_percent=cap,
        lesson_completed_now=lesson_completed_now,
        course_completed_now=course_completed_now,
    )
