"""Enrollment, free or paid (shared/API.md, POST /courses/{slug}/enroll).

Changelog "Enrollment system with duplicate prevention". One enrollment per (user, course) is
the database's job (unique constraint); the buyer's user row is locked first so that a double
click (or 20 parallel requests) charges once: the second request waits, then finds the
enrollment and answers 409 ALREADY_ENROLLED without reaching the payment gateway.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.billing.exceptions import PaymentFailed
from apps.billing.gateways import PaymentGateway
from apps.billing.services import purchase_invoice_charge
from apps.education.exceptions import EducationError, ErrorCode
from apps.education.models import Course, CourseSale, CourseStatus, Enrollment
from apps.education.services.common import courses_changed
from apps.webhooks.services import webhook_event_record
from veza.audit import RequestMeta, audit_record


def enrollment_create(
    *,
    user,
    course: Course,
    idempotency_key: str = "",
    meta: RequestMeta | None = None,
    now: datetime | None = None,
    gateway: PaymentGateway | None = None,
) -> Enrollment:
    """Enroll ``user``; a paid course is charged first (billing's gateway and gapless invoice).

    A declined charge keeps nothing (no invoice, sale or enrollment) and answers 402
    PAYMENT_FAILED. ``idempotency_key`` (the client's ``Idempotency-Key`` header) makes a retried
    request ask the gateway for the same charge again instead of a new one.
    """
    now = now or timezone.now()
    if course.owner_id == user.pk:
        raise EducationError(ErrorCode.OWN_COURSE)
    if course.status == CourseStatus.ARCHIVED:
        raise EducationError(ErrorCode.COURSE_ARCHIVED)
    if course.status != CourseStatus.PUBLISHED:
        raise EducationError(ErrorCode.COURSE_NOT_PUBLISHED)
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            if Enrollment.objects.filter(user=user, course=course).exists():
                raise EducationError(ErrorCode.ALREADY_ENROLLED)
            enrollment = Enrollment.objects.create(
                user=user,
                course=course,
                amount_paid=course.price,
                currency=course.currency,
                enrolled_at=now,
            )
            # The insert's foreign-key check holds a share lock on the course row until commit,
            # and archiving locks that row for update: either the archive committed before this
            # read (it sees "archived") or it waits for this enrollment. Nothing is charged yet.
            current = Course.objects.filter(pk=course.pk).values_list("status", flat=True)
            if current.first() != CourseStatus.PUBLISHED:
                raise EducationError(ErrorCode.COURSE_ARCHIVED)
            invoice = None
            if course.price > 0:
                key = idempotency_key or uuid.uuid4().hex
                invoice = purchase_invoice_charge(
                    user=user,
                    description=f"Course: {course.title}",
                    amount=course.price,
                    currency=course.currency,
                    idempotency_key=f"veza:course:{course.pk}:{user.pk}:{key}"[:255],
                    now=now,
                    gateway=gateway,
                )
            if invoice is not None:
                CourseSale.objects.create(
                    course=course,
                    buyer=user,
                    creator_id=course.owner_id,
                    enrollment=enrollment,
                    invoice=invoice,
                    amount=course.price,
                    currency=course.currency,
                    sold_at=now,
                )
            audit_record(
                action="enrollment.create",
                actor=user,
                target=enrollment,
                meta=meta,
                metadata={
                    "course": str(course.pk),
                    "amount": str(course.price),
                    "currency": course.currency,
                    "invoice": invoice.number if invoice else None,
                },
            )
            # The seller hears of the sale (README "Webhooks for integrators"); the learner is
            # named by id only.
            webhook_event_record(
                owner_id=course.owner_id,
                event_type="course.enrollment.created",
                object_id=enrollment.pk,
                data_object={
                    "id": str(enrollment.pk),
                    "object": "enrollment",
                    "course": {"id": str(course.pk), "slug": course.slug},
                    "learner": str(user.pk),
                    "amount_paid": enrollment.amount_paid,
                    "currency": enrollment.currency,
                    "enrolled_at": enrollment.enrolled_at,
                },
            )
            courses_changed()
    except IntegrityError as exc:
        # The unique (user, course) constraint caught a duplicate the lock did not (its name is
        # only in PostgreSQL's message, so look at the row instead).
        if Enrollment.objects.filter(user=user, course=course).exists():
            raise EducationError(ErrorCode.ALREADY_ENROLLED) from exc
        raise
    except PaymentFailed as exc:
        reason = exc.details.get("reason", "")
        audit_record(
            action="enrollment.payment_declined",
            actor=user,
            target=course,
            meta=meta,
            metadata={"amount": str(course.price), "currency": course.currency, "reason": reason},
        )
        raise EducationError(ErrorCode.PAYMENT_FAILED, details={"reason": reason}) from None
    return enrollment
