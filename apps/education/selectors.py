"""Education reads: scoped querysets with their joins, and the access rules for reading.

Who sees what (shared/API.md "Education"):
- a draft course exists only for its owner and staff (404 for everyone else);
- published and archived courses are readable by anyone (only published ones are listed);
- a lesson's media plays for the owner, staff and enrolled learners, and for everyone when the
  lesson is a free preview of a course they can see.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import (
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from apps.catalog.selectors import ordering_resolve
from apps.education.exceptions import EducationError, ErrorCode
from apps.education.models import (
    Certificate,
    Course,
    CourseSale,
    CourseStatus,
    Enrollment,
    Lesson,
    LessonProgress,
    LessonStatus,
    Review,
)
from veza.api.exceptions import Forbidden, NotFound
from veza.compiled_query import CompiledLists, RowsQuery

#: ?ordering= whitelist of the public course list (anything else: -created_at).
COURSE_ORDERINGS = frozenset(
    {"created_at", "published_at", "title", "price", "rating_average", "rating_count"}
)


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.role == "admin"))


def _ready_lessons():
    return Lesson.objects.filter(course=OuterRef("pk"), status=LessonStatus.READY).order_by()


def courses_annotated() -> QuerySet[Course]:
    """Courses with their creator and ready-lesson count and duration: one query per page."""
    lesson_count = _ready_lessons().values("course").annotate(n=Count("pk")).values("n")
    total_duration = _ready_lessons().values("course").annotate(s=Sum("duration")).values("s")
    return Course.objects.select_related("owner", "owner__profile").annotate(
        lesson_count=Coalesce(Subquery(lesson_count, output_field=IntegerField()), Value(0)),
        total_duration=Coalesce(Subquery(total_duration, output_field=FloatField()), Value(0.0)),
    )


def course_public_list(
    *,
    search: str = "",
    level: str = "",
    price: str = "",
    creator: UUID | None = None,
    ordering: str | None = None,
) -> QuerySet[Course]:
    qs = courses_annotated().filter(status=CourseStatus.PUBLISHED)
    search = search.strip()
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if level:
        qs = qs.filter(level=level)
    if price == "free":
        qs = qs.filter(price=0)
    elif price == "paid":
        qs = qs.filter(price__gt=0)
    if creator:
        qs = qs.filter(owner_id=creator)
    return qs.order_by(*ordering_resolve(ordering, COURSE_ORDERINGS))


#: A listed course as one row of columns (``values_list``, annotations included): what the list
#: renders without making model instances.
COURSE_ROW_FIELDS = (
    "id",
    "slug",
    "title",
    "description",
    "cover_image",
    "level",
    "price",
    "currency",
    "status",
    "published_at",
    "archived_at",
    "owner_id",
    "owner__username",
    "owner__profile__display_name",
    "lesson_count",
    "total_duration",
    "rating_average",
    "rating_count",
    "created_at",
    "updated_at",
)
CourseRow = namedtuple("CourseRow", COURSE_ROW_FIELDS)

_COURSE_LISTS = CompiledLists(Course, fields=COURSE_ROW_FIELDS, make_row=CourseRow._make)


def course_public_list_rows(
    *,
    search: str = "",
    level: str = "",
    price: str = "",
    creator: UUID | None = None,
    ordering: str | None = None,
) -> RowsQuery:
    """:func:`course_public_list` as :class:`CourseRow` pages, its SQL compiled once per shape
    (``veza.compiled_query``). The key holds every value the SQL depends on: the resolved
    ordering (anything off the whitelist shares the default's) and each filter as given."""
    key = (
        "course_public_list",
        tuple(ordering_resolve(ordering, COURSE_ORDERINGS)),
        search,
        level,
        price,
        creator,
    )
    return _COURSE_LISTS.rows(
        key,
        lambda: course_public_list(
            search=search, level=level, price=price, creator=creator, ordering=ordering
        ),
    )


def _can_manage(course: Course, user) -> bool:
    return bool(user and user.is_authenticated and (course.owner_id == user.pk or is_staff(user)))


def course_visible(*, slug: str, user) -> Course:
    """The course by slug as ``user`` may see it; drafts are 404 to all but owner and staff."""
    course = courses_annotated().filter(slug=slug).first()
    if course is None or (course.status == CourseStatus.DRAFT and not _can_manage(course, user)):
        raise NotFound()
    return course


def course_managed(*, slug: str, user) -> Course:
    """The course for a write: owner or staff (403 for others who can see it)."""
    course = course_visible(slug=slug, user=user)
    if not _can_manage(course, user):
        raise Forbidden("Only the course's creator or staff may change it.")
    return course


def enrollment_for(*, user, course: Course) -> Enrollment | None:
    if not (user and user.is_authenticated):
        return None
    return Enrollment.objects.filter(user=user, course=course).first()


def enrollment_required(*, user, course: Course) -> Enrollment:
    enrollment = enrollment_for(user=user, course=course)
    if enrollment is None:
        raise EducationError(ErrorCode.NOT_ENROLLED)
    enrollment.course = course
    return enrollment


def lesson_list(*, course: Course, user, enrollment: Enrollment | None) -> list[Lesson]:
    """The ordered lessons: all of them for owner and staff, ready ones for everyone else, each
    with the caller's progress row when they are enrolled (one extra query)."""
    qs = Lesson.objects.filter(course=course).order_by("position")
    if not _can_manage(course, user):
        qs = qs.filter(status=LessonStatus.READY)
    if enrollment is not None:
        qs = qs.prefetch_related(
            Prefetch(
                "progress",
                queryset=LessonProgress.objects.filter(enrollment=enrollment),
                to_attr="caller_progress",
            )
        )
    return list(qs)


def lesson_managed(*, course: Course, lesson_id: UUID) -> Lesson:
    lesson = Lesson.objects.filter(course=course, pk=lesson_id).first()
    if lesson is None:
        raise NotFound()
    lesson.course = course
    return lesson


@dataclass(frozen=True)
class LessonAccess:
    lesson: Lesson
    enrollment: Enrollment | None  # the caller's enrollment, when they have one
    is_manager: bool


def lesson_access(*, lesson_id: UUID, user, for_media: bool) -> LessonAccess:
    """A lesson as ``user`` may use it. 404 when the course is invisible to them or the lesson
    is not ready (owner and staff excepted); 403 NOT_ENROLLED when they may see the course but
    not play this lesson (``for_media``) or record progress in it."""
    lesson = Lesson.objects.select_related("course", "course__owner").filter(pk=lesson_id).first()
    if lesson is None:
        raise NotFound()
    course = lesson.course
    manager = _can_manage(course, user)
    if not manager and (course.status == CourseStatus.DRAFT or lesson.status != LessonStatus.READY):
        raise NotFound()
    enrollment = enrollment_for(user=user, course=course)
    if enrollment is not None:
        enrollment.course = course
    allowed = manager or enrollment is not None or (for_media and lesson.is_preview)
    if not allowed:
        raise EducationError(ErrorCode.NOT_ENROLLED)
    return LessonAccess(lesson=lesson, enrollment=enrollment, is_manager=manager)


@dataclass(frozen=True)
class LearnerSummary:
    lessons_total: int
    lessons_completed: int
    percent: int
    completed_at: object
    new_lessons_since_completion: int


def learner_summary(*, enrollment: Enrollment) -> LearnerSummary:
    """Where a learner stands: ready lessons, those completed, and — once the course is
    completed — how many ready lessons they have not done (added since they completed)."""
    ready = Lesson.objects.filter(course_id=enrollment.course_id, status=LessonStatus.READY)
    total = ready.count()
    done = LessonProgress.objects.filter(
        enrollment=enrollment, completed_at__isnull=False, lesson__in=ready
    ).count()
    new = total - done if enrollment.completed_at is not None else 0
    percent = round(100 * done / total) if total else 0
    return LearnerSummary(
        lessons_total=total,
        lessons_completed=done,
        percent=percent,
        completed_at=enrollment.completed_at,
        new_lessons_since_completion=max(new, 0),
    )


def certificate_by_code(*, code: str) -> Certificate:
    """Public verification: one query (the certificate and its course's slug)."""
    if not code or len(code) > 64:
        raise NotFound()
    certificate = Certificate.objects.select_related("course").filter(code=code).first()
    if certificate is None:
        raise NotFound()
    return certificate


def review_list(*, course: Course) -> QuerySet[Review]:
    return (
        Review.objects.filter(course=course, is_hidden=False)
        .select_related("user", "user__profile", "enrollment")
        .order_by("-created_at", "-id")
    )


def review_with_author(*, review_id: UUID) -> Review:
    return Review.objects.select_related("user", "user__profile", "enrollment").get(pk=review_id)


def review_own(*, course: Course, review_id: UUID, user) -> Review:
    review = Review.objects.filter(course=course, pk=review_id).first()
    if review is None or (review.is_hidden and review.user_id != user.pk):
        raise NotFound()
    if review.user_id != user.pk:
        raise Forbidden("Only the review's author may edit it.")
    return review


def enrollment_list_for_learner(*, user) -> QuerySet[Enrollment]:
    """The learner's courses, newest enrollment first, each with ready and completed lesson
    counts: one query per page whatever the number of courses."""
    ready = Lesson.objects.filter(course=OuterRef("course"), status=LessonStatus.READY).order_by()
    done = LessonProgress.objects.filter(
        enrollment=OuterRef("pk"), completed_at__isnull=False, lesson__status=LessonStatus.READY
    ).order_by()
    return (
        Enrollment.objects.filter(user=user)
        .select_related("course", "course__owner", "course__owner__profile")
        .annotate(
            lessons_total=Coalesce(
                Subquery(
                    ready.values("course").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            lessons_completed=Coalesce(
                Subquery(
                    done.values("enrollment").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .order_by("-enrolled_at", "-id")
    )


def course_sales_for_creator(
    *, creator, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[CourseSale]:
    """The creator's course sales in ``[start, end)``, newest first (for creator analytics)."""
    sales = CourseSale.objects.filter(creator=creator).select_related("course")
    if start is not None:
        sales = sales.filter(sold_at__gte=start)
    if end is not None:
        sales = sales.filter(sold_at__lt=end)
    return sales.order_by("-sold_at", "-id")
