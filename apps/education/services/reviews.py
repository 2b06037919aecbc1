"""Course reviews (shared/API.md, GET/POST /courses/{slug}/reviews).

Changelog "Course reviews with rating aggregation". The course's count, total and average are
changed in the same transaction as the review, by one ``UPDATE … SET rating_count =
rating_count + 1`` on the course row: concurrent reviews queue on that row, so the aggregate is
exact whatever the concurrency and never needs recomputing. Hidden reviews do not count.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.education.exceptions import EducationError, ErrorCode
from apps.education.models import Course, Enrollment, Review
from apps.education.services.common import courses_changed
from veza.audit import RequestMeta, audit_record


def _aggregate_apply(*, course_id, count: int, total: int) -> None:
    """Add ``count`` reviews worth ``total`` stars to the course, then store the average of
    the row's new count and total. The first ``UPDATE`` locks the course row until the
    caller's transaction ends, so the read and the second write see no one else's change."""
    Course.objects.filter(pk=course_id).update(
        rating_count=F("rating_count") + count, rating_total=F("rating_total") + total
    )
    new_count, new_total = (
        Course.objects.filter(pk=course_id).values_list("rating_count", "rating_total").get()
    )
    Course.objects.filter(pk=course_id).update(
        rating_average=rating_average_of(count=new_count, total=new_total)
    )


def review_create(
    *,
    course: Course,
    user,
    rating: int,
    body: str = "",
    meta: RequestMeta | None = None,
) -> Review:
    """One review per enrolled learner; the owner cannot review their own course."""
    if course.owner_id == user.pk:
        raise EducationError(ErrorCode.OWN_COURSE)
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if enrollment is None:
        raise EducationError(ErrorCode.NOT_ENROLLED)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                course=course, user=user, enrollment=enrollment, rating=rating, body=body
            )
            _aggregate_apply(course_id=course.pk, count=1, total=rating)
            audit_record(
                action="review.create",
                actor=user,
                target=review,
                meta=meta,
                metadata={"course": str(course.pk), "rating": rating},
            )
            courses_changed()
    except IntegrityError as exc:
        # The unique (user, course) constraint lost a race; its name is only in PostgreSQL's
        # message, so look at the row instead.
        if Review.objects.filter(user=user, course=course).exists():
            raise EducationError(ErrorCode.ALREADY_REVIEWED) from exc
        raise
    return review


@transaction.atomic
def review_update(*, review: Review, actor, data: dict, meta: RequestMeta | None = None) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    changed = [
        name for name in ("rating", "body") if name in data and getattr(review, name) != data[name]
    ]
    if not changed:
        return review
    previous = review.rating
    for name in changed:
        setattr(review, name, data[name])
    review.save(update_fields=[*changed, "updated_at"])
    if "rating" in changed and not review.is_hidden:
        _aggregate_apply(course_id=review.course_id, count=0, total=review.rating - previous)
    audit_record(
        action="review.update",
        actor=actor,
        target=review,
        meta=meta,
        metadata={"fields": sorted(changed), "rating": review.rating, "previous_rating": previous},
    )
    courses_changed()
    return review


@transaction.atomic
def review_visibility_set(
    *,
    review: Review,
    actor,
    hidden: bool,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
    reason: str = "",
) -> bool:
    """Staff hide an abusive review (it leaves the list and the average) or show it again."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.is_hidden == hidden:
        return False
    review.is_hidden = hidden
    review.hidden_at = (now or timezone.now()) if hidden else None
    review.save(update_fields=["is_hidden", "hidden_at", "updated_at"])
    sign = -1 if hidden else 1
    _aggregate_apply(course_id=review.course_id, count=sign, total=sign * review.rating)
    audit_record(
        action="review.hide" if hidden else "review.unhide",
        actor=actor,
        target=review,
        meta=meta,
        metadata={
            "course": str(review.course_id),
            "rating": review.rating,
            **({"reason": reason} if reason else {}),
        },
    )
    courses_changed()
    return True


def rating_average_of(*, count: int, total: int) -> Decimal | None:
    """The average as the API shows it (two decimals), for a count and a total."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def reviews_erase_for_user(*, user) -> int:
    """A deleted account's reviews go; each course's count and average lose them in the same
    transaction (hidden reviews were already out of the aggregate)."""
    erased = 0
    for review in Review.objects.select_for_update().filter(user=user).order_by("course_id"):
        if not review.is_hidden:
            _aggregate_apply(course_id=review.course_id, count=-1, total=-review.rating)
        review.delete()
        erased += 1
    if erased:
        courses_changed()
    return erased
