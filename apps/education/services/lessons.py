"""Lesson writes: upload (sniffed, stored, processed by Celery like tracks), edits, ordering.

Contract: shared/API.md "Education"; changelog "Lesson management with ordering and transcoding
status". Positions are 1..n without gaps; every write that moves positions locks the course row
first, so two writers of the same course queue instead of racing.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from apps.catalog.exceptions import PayloadTooLarge
from apps.catalog.services import storage_delete_on_commit
from apps.education import media, tasks
from apps.education.exceptions import EducationError, ErrorCode
from apps.education.models import Course, Lesson, LessonStatus
from apps.education.services.common import courses_changed
from veza import storage
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record
from veza.jobs import job_claim, job_lease_expired

logger = logging.getLogger(__name__)

LESSON_EDITABLE_FIELDS = ("title", "description", "is_preview")
# Positions are moved out of the way by this much while a reorder rewrites them, so the
# (course, position) constraint holds even where it cannot be deferred (SQLite).
_POSITION_OFFSET = 1_000_000


def _probe(file) -> media.MediaInfo:
    path = getattr(file, "temporary_file_path", None)
    try:
        if path is not None:
            return media.lesson_media_probe(path())
        file.seek(0)
        return media.lesson_media_probe(file.file)
    except media.NotMedia as exc:
        raise EducationError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, details={"file": [str(exc)[:200]]}
        ) from exc
    finally:
        file.seek(0)


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _course_lock(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


def lesson_create(
    *,
    course: Course,
    actor,
    title: str,
    file,
    description: str = "",
    is_preview: bool = False,
    max_bytes: int,
    meta: RequestMeta | None = None,
) -> Lesson:
    """Append a lesson: its media is sniffed now, stored under a generated name, and probed
    for its duration by the ``education.lesson_process`` task (status pending → ready/failed)."""
    if file.size > max_bytes:
        raise PayloadTooLarge(details={"max_bytes": max_bytes})
    info = _probe(file)
    sha256 = _sha256(file)
    stored = storage.save_new(
        f"lessons/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{info.extension}", file
    )
    try:
        with transaction.atomic():
            _course_lock(course)
            last = Lesson.objects.filter(course=course).aggregate(m=Max("position"))["m"] or 0
            lesson = Lesson.objects.create(
                course=course,
                title=title,
                description=description,
                is_preview=is_preview,
                position=last + 1,
                media_file=stored,
                media_kind=info.kind,
                content_type=info.content_type,
                container=info.container,
                size=file.size,
                sha256=sha256,
                status=LessonStatus.PENDING,
            )
            audit_record(
                action="lesson.create",
                actor=actor,
                target=lesson,
                meta=meta,
                metadata={"course": str(course.pk), "size": file.size, "kind": info.kind},
            )
            lesson_id = str(lesson.pk)
            transaction.on_commit(lambda: tasks.lesson_process.delay(lesson_id))
            courses_changed()
    except BaseException:
        default_storage.delete(stored)
        raise
    return lesson


def lesson_process(*, lesson_id) -> Lesson | None:
    """Probe the stored media: duration, then ``ready`` (or ``failed`` with a reason).

    Idempotent: only a ``pending`` lesson is claimed (one conditional update), so a task
    delivered twice processes once; a ``processing`` one past its deadline was left by a lost
    worker and may be claimed again (:mod:`veza.jobs`).
    """
    now = timezone.now()
    claimable = Q(status=LessonStatus.PENDING) | Q(
        job_lease_expired(deadline_field="processing_deadline", now=now),
        status=LessonStatus.PROCESSING,
    )
    claimed = Lesson.objects.filter(claimable, pk=lesson_id).update(
        status=LessonStatus.PROCESSING,
        updated_at=now,
        **job_claim(
            task=tasks.lesson_process.name,
            attempts_field="processing_attempts",
            deadline_field="processing_deadline",
            now=now,
        ),
    )
    lesson = Lesson.objects.filter(pk=lesson_id).first()
    if not claimed or lesson is None:
        return lesson
    try:
        with storage.local_copy(lesson.media_file.name) as source:
            info = media.lesson_media_probe(source)
        failure = "" if info.duration and info.duration > 0 else "The file has no duration."
    except (media.NotMedia, OSError) as exc:
        info, failure = None, f"Could not read the media: {exc}"[:255]
    changes = {"updated_at": timezone.now()}
    if failure:
        changes.update(status=LessonStatus.FAILED, failure_reason=failure)
    else:
        changes.update(status=LessonStatus.READY, duration=info.duration, failure_reason="")
    with transaction.atomic():
        Lesson.objects.filter(pk=lesson.pk, status=LessonStatus.PROCESSING).update(**changes)
        if failure:
            audit_record(
                action="lesson.processing_failed", target=lesson, metadata={"reason": failure}
            )
        courses_changed()
    lesson.refresh_from_db()
    return lesson


@transaction.atomic
def lesson_update(*, lesson: Lesson, actor, data: dict, meta: RequestMeta | None = None) -> Lesson:
    changed = []
    for name in LESSON_EDITABLE_FIELDS:
        if name in data and getattr(lesson, name) != data[name]:
            setattr(lesson, name, data[name])
            changed.append(name)
    if changed:
        lesson.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action="lesson.update",
            actor=actor,
            target=lesson,
            meta=meta,
            metadata={"fields": sorted(changed)},
        )
        courses_changed()
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson, actor, meta: RequestMeta | None = None) -> None:
    """Delete a lesson and close the gap it leaves in the order; its file goes after commit."""
    course = _course_lock(lesson.course)
    lesson = Lesson.objects.filter(pk=lesson.pk, course=course).first()
    if lesson is None:
        return
    audit_record(
        action="lesson.delete",
        actor=actor,
        target=lesson,
        meta=meta,
        metadata={"course": str(course.pk), "title": lesson.title, "position": lesson.position},
    )
    name, position = lesson.media_file.name, lesson.position
    lesson.delete()
    later = Lesson.objects.filter(course=course, position__gt=position)
    later.update(position=F("position") + _POSITION_OFFSET)
    Lesson.objects.filter(course=course, position__gt=_POSITION_OFFSET).update(
        position=F("position") - _POSITION_OFFSET - 1
    )
    storage_delete_on_commit([name])
    courses_changed()


@transaction.atomic
def lessons_reorder(
    *, course: Course, actor, lesson_ids: Sequence, meta: RequestMeta | None = None
) -> list[Lesson]:
    """Rewrite the whole order in one transaction: ``lesson_ids`` lists every lesson of the
    course exactly once, first to last."""
    course = _course_lock(course)
    current = {str(pk) for pk in Lesson.objects.filter(course=course).values_list("pk", flat=True)}
    wanted = [str(pk) for pk in lesson_ids]
    if len(wanted) != len(set(wanted)) or set(wanted) != current:
        raise ValidationFailed(
            details={"lessons": ["List every lesson of this course exactly once, in order."]}
        )
    Lesson.objects.filter(course=course).update(position=F("position") + _POSITION_OFFSET)
    for position, lesson_id in enumerate(wanted, start=1):
        Lesson.objects.filter(pk=lesson_id).update(position=position, updated_at=timezone.now())
    audit_record(
        action="lesson.reorder",
        actor=actor,
        target=course,
        meta=meta,
        metadata={"order": wanted},
    )
    courses_changed()
    return list(Lesson.objects.filter(course=course).order_by("position"))
