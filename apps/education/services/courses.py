"""Course writes: creation with a unique slug, edits, the publish/archive lifecycle, deletion.

Contract: shared/API.md "Education"; changelog "Course CRUD with slug generation,
publish/archive lifecycle".
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.catalog.services import storage_delete_on_commit
from apps.education.exceptions import EducationError, ErrorCode
from apps.education.models import Course, CourseLevel, CourseStatus, LessonStatus
from apps.education.services.common import courses_changed
from veza.api.exceptions import Conflict
from veza.audit import RequestMeta, audit_record

SLUG_BASE_MAX = 80
SLUG_ATTEMPTS = 20
COURSE_EDITABLE_FIELDS = ("title", "description", "level", "price", "currency")


def course_slug_base(title: str) -> str:
    """A readable slug in the title's own script (``allow_unicode``): "Гармония" stays
    "гармония" instead of becoming empty; only a title without any letter or digit falls back
    to "course"."""
    base = slugify(title, allow_unicode=True)[:SLUG_BASE_MAX].strip("-_")
    return base or "course"


def _cover_name(upload) -> str:
    """A generated name: the client's file name never reaches the storage."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    return uuid.uuid4().hex + (extension if re.fullmatch(r"\.[a-z0-9]{1,5}", extension) else "")


def _slug_free(base: str, *, exclude_pk=None) -> str:
    """``base``, or ``base-N`` with the smallest N ≥ 2 that no other course uses yet."""
    pattern = re.compile(rf"^{re.escape(base)}-(\d+)$")
    taken = set(
        Course.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    numbers = {int(match.group(1)) for slug in taken if (match := pattern.match(slug))}
    number = 2
    while number in numbers:
        number += 1
    return f"{base}-{number}"


def _slug_save(course: Course, *, base: str, **save_kwargs) -> None:
    """Save with a free slug. Two parallel saves may pick the same one: the unique index lets
    one win and the other tries the next free suffix (each attempt in its own savepoint)."""
    for _ in range(SLUG_ATTEMPTS):
        course.slug = _slug_free(base, exclude_pk=course.pk if not course._state.adding else None)
        try:
            with transaction.atomic():
                course.save(**save_kwargs)
            return
        except IntegrityError as exc:
            if "slug" not in str(exc):
                raise
    raise Conflict("Could not find a free slug for this title; try again.")


@transaction.atomic
def course_create(
    *,
    owner,
    title: str,
    description: str = "",
    level: str = CourseLevel.BEGINNER,
    price: Decimal = Decimal("0.00"),
    currency: str = "USD",
    cover_image=None,
    meta: RequestMeta | None = None,
) -> Course:
    course = Course(
        owner=owner,
        title=title,
        description=description,
        level=level,
        price=price,
        currency=currency.upper(),
    )
    if cover_image is not None:
        course.cover_image.save(_cover_name(cover_image), cover_image, save=False)
    _slug_save(course, base=course_slug_base(title), force_insert=True)
    audit_record(
        action="course.create",
        actor=owner,
        target=course,
        meta=meta,
        metadata={"slug": course.slug, "price": str(course.price), "currency": course.currency},
    )
    courses_changed()
    return course


@transaction.atomic
def course_update(*, course: Course, actor, data: dict, meta: RequestMeta | None = None) -> Course:
    """Edit a course (owner or staff). A draft's slug follows its title; once the course has
    been published the slug never changes, so shared links keep working."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    changed = []
    for name in COURSE_EDITABLE_FIELDS:
        if name in data:
            value = data[name].upper() if name == "currency" else data[name]
            if getattr(course, name) != value:
                setattr(course, name, value)
                changed.append(name)
    if data.get("cover_image") is not None:
        old = course.cover_image.name
        course.cover_image.save(_cover_name(data["cover_image"]), data["cover_image"], save=False)
        storage_delete_on_commit([old])
        changed.append("cover_image")
    if not changed:
        return course
    old_slug = course.slug
    if "title" in changed and course.status == CourseStatus.DRAFT:
        base = course_slug_base(course.title)
        if old_slug != base and not re.fullmatch(rf"{re.escape(base)}-\d+", old_slug):
            _slug_save(course, base=base)
        else:
            course.save()
    else:
        course.save()
    audit_record(
        action="course.update",
        actor=actor,
        target=course,
        meta=meta,
        metadata={"fields": sorted(changed), "slug": course.slug, "previous_slug": old_slug},
    )
    courses_changed()
    return course


def _locked(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


@transaction.atomic
def course_publish(
    *, course: Course, actor, meta: RequestMeta | None = None, now: datetime | None = None
) -> Course:
    """draft → published; needs at least one ready lesson. Publishing twice is a no-op."""
    course = _locked(course)
    if course.status == CourseStatus.PUBLISHED:
        return course
    if course.status == CourseStatus.ARCHIVED:
        raise EducationError(ErrorCode.COURSE_ARCHIVED, "An archived course cannot be published.")
    if not course.lessons.filter(status=LessonStatus.READY).exists():
        raise EducationError(ErrorCode.COURSE_HAS_NO_LESSONS)
    course.status = CourseStatus.PUBLISHED
    course.published_at = now or timezone.now()
    course.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(action="course.publish", actor=actor, target=course, meta=meta)
    courses_changed()
    return course


@transaction.atomic
def course_archive(
    *,
    course: Course,
    actor,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
    reason: str = "",
) -> Course:
    """published → archived: no new enrollments; enrolled learners keep their access."""
    course = _locked(course)
    if course.status == CourseStatus.ARCHIVED:
        return course
    if course.status != CourseStatus.PUBLISHED:
        raise EducationError(
            ErrorCode.COURSE_NOT_PUBLISHED, "Only a published course can be archived."
        )
    course.status = CourseStatus.ARCHIVED
    course.archived_at = now or timezone.now()
    course.save(update_fields=["status", "archived_at", "updated_at"])
    audit_record(
        action="course.archive",
        actor=actor,
        target=course,
        meta=meta,
        metadata={"reason": reason} if reason else {},
    )
    courses_changed()
    return course


@transaction.atomic
def course_delete(*, course: Course, actor, meta: RequestMeta | None = None) -> None:
    """Delete a course nobody is enrolled in (with its lessons and files); else archive it."""
    course = _locked(course)
    if course.enrollments.exists():
        raise EducationError(ErrorCode.COURSE_HAS_ENROLLMENTS)
    names = [course.cover_image.name, *course.lessons.values_list("media_file", flat=True)]
    audit_record(
        action="course.delete",
        actor=actor,
        target=course,
        meta=meta,
        metadata={"slug": course.slug, "title": course.title, "owner": str(course.owner_id)},
    )
    course.delete()
    storage_delete_on_commit(names)
    courses_changed()
