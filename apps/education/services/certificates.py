"""Certificates (shared/API.md, GET /courses/{slug}/certificate and /certificates/{code}).

Changelog "Certificate issuance requiring full course completion". One per enrollment (a
one-to-one column: of 20 parallel requests one inserts, the others read it back). What the
certificate shows — the learner's name, the course title, the creator, lessons and duration —
is copied at issue time and never rewritten: a later rename does not alter an issued
certificate. Only staff revoke, with a reason, audited.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.education.exceptions import EducationError, ErrorCode
from apps.education.models import Certificate, Enrollment, LessonProgress, LessonStatus
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record

#: 24 random bytes = 192 bits, URL-safe (32 characters).
CODE_BYTES = 24


def person_name(user) -> str:
    profile = getattr(user, "profile", None)
    return ((profile.display_name if profile else "") or user.username or "")[:120]


def certificate_issue(
    *, enrollment: Enrollment, now: datetime | None = None, meta: RequestMeta | None = None
) -> tuple[Certificate, bool]:
    """The enrollment's certificate, issued now if it has none yet; 409 before completion."""
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing, False
    if enrollment.completed_at is None:
        raise EducationError(ErrorCode.COURSE_NOT_COMPLETED)
    now = now or timezone.now()
    course = enrollment.course
    completed = LessonProgress.objects.filter(
        enrollment=enrollment,
        completed_at__isnull=False,
        completed_at__lte=enrollment.completed_at,
        lesson__status=LessonStatus.READY,
    )
    duration = completed.aggregate(total=Sum("lesson__duration"))["total"] or 0.0
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                enrollment=enrollment,
                course=course,
                code=secrets.token_urlsafe(CODE_BYTES),
                learner_name=person_name(enrollment.user),
                course_title=course.title,
                creator_name=person_name(course.owner),
                lesson_count=enrollment.lessons_at_completion or completed.count(),
                total_duration=round(float(duration), 3),
                completed_at=enrollment.completed_at,
                issued_at=now,
            )
            audit_record(
                action="certificate.issue",
                actor=enrollment.user,
                target=certificate,
                meta=meta,
                metadata={"course": str(course.pk), "enrollment": str(enrollment.pk)},
            )
    except IntegrityError:
        return Certificate.objects.get(enrollment=enrollment), False
    return certificate, True


@transaction.atomic
def certificate_revoke(
    *,
    certificate: Certificate,
    actor,
    reason: str,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> bool:
    """Revoke once (a second revoke changes nothing); verification then says "revoked"."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(details={"reason": ["Say why the certificate is revoked."]})
    now = now or timezone.now()
    updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason[:255], revoked_by=actor
    )
    if updated:
        audit_record(
            action="certificate.revoke",
            actor=actor,
            target=certificate,
            meta=meta,
            metadata={"reason": reason[:255], "code_prefix": certificate.code[:6]},
        )
    certificate.refresh_from_db()
    return bool(updated)


@transaction.atomic
def certificates_anonymise_for_user(*, user, name: str) -> int:
    """A deleted learner's certificates stay verifiable (the course, dates and status still
    prove what was earned) but no longer name the person: the name becomes ``name``."""
    return (
        Certificate.objects.filter(enrollment__user=user)
        .exclude(learner_name=name)
        .update(learner_name=name)
    )
