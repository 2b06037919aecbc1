"""The education part of the operations console.

Every staff write goes through a service, so the audit row and the rules are the ones the API
applies: lifecycle actions (publish, archive), course edits, certificate revocation (with a
reason, after a confirmation page) and hiding or showing reviews. Enrollments, sales and
lessons are read-only here.
"""

from __future__ import annotations

from django.contrib import admin, messages

from apps.education import services
from apps.education.exceptions import EducationError
from apps.education.models import (
    Certificate,
    Course,
    CourseSale,
    Enrollment,
    Lesson,
    LessonStatus,
    Review,
)
from apps.education.services.courses import COURSE_EDITABLE_FIELDS
from veza.admin_tools import (
    FAILED_JOBS,
    ReadOnlyAdminMixin,
    action_confirm,
    list_column,
    operations_count_panel,
)
from veza.audit import RequestMeta


class LessonInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Lesson
    ordering = ("position",)
    fields = (
        "position",
        "title",
        "media_kind",
        "status",
        "processing_attempts",
        "duration",
        "is_preview",
        "size",
    )
    readonly_fields = fields
    extra = 0
    show_change_link = False


def _lifecycle(modeladmin, request, courses, service, verb: str, **kwargs) -> None:
    meta = RequestMeta.from_request(request)
    done = 0
    for course in courses:
        try:
            service(course=course, actor=request.user, meta=meta, **kwargs)
            done += 1
        except EducationError as exc:
            modeladmin.message_user(request, f"{course.slug}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{done} course(s) {verb}.", messages.SUCCESS)


@admin.register(Course)
class CourseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Creators create courses through the API; staff archive instead of deleting (the API
    # deletes a course nobody enrolled in).
    allow_change = True

    list_display = (
        "title_column",
        "owner_email",
        "status",
        "level",
        "price_column",
        "rating",
        "published",
        "created",
    )
    title_column = list_column("title", length=40)
    owner_email = list_column("owner__email", length=28, description="owner")
    published = list_column("published_at", description="published")
    created = list_column("created_at", description="created")
    list_filter = ("status", "level", "currency", "published_at", "created_at")
    search_fields = ("title", "slug", "owner__email", "owner__username", "=id")
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    fields = (*COURSE_EDITABLE_FIELDS, "slug", "owner", "status", "published_at", "archived_at")
    readonly_fields = ("slug", "owner", "status", "published_at", "archived_at")
    inlines = [LessonInline]
    actions = ["publish_courses", "archive_courses"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        original = Course.objects.get(pk=obj.pk)
        services.course_update(
            course=original, actor=request.user, data=data, meta=RequestMeta.from_request(request)
        )

    @admin.display(description="price", ordering="price")
    def price_column(self, course):
        return f"{course.price} {course.currency}"

    @admin.display(description="rating (reviews)", ordering="rating_count")
    def rating(self, course):
        if not course.rating_count:
            return "—"
        return f"{course.rating_average} ({course.rating_count})"

    @admin.action(description="Publish the selected courses", permissions=["change"])
    def publish_courses(self, request, queryset):
        _lifecycle(self, request, queryset, services.course_publish, "published")

    @admin.action(description="Archive the selected courses…", permissions=["change"])
    def archive_courses(self, request, queryset):
        return action_confirm(
            self,
            request,
            queryset.select_related("owner"),
            title="Archive courses",
            consequence=(
                "Archived courses take no new enrollments and leave the catalogue; enrolled "
                "learners keep their access. Only published courses can be archived."
            ),
            confirm_label="Yes, archive",
            perform=lambda reason: _lifecycle(
                self, request, queryset, services.course_archive, "archived", reason=reason
            ),
            describe=lambda course: f"“{course.title}” by {course.owner.email}",
        )


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Lessons are uploaded by their creators through the API; staff look here for the ones
    whose media failed processing (the reason is on each lesson)."""

    list_display = ("title_column", "course_title", "position", "media_kind", "status", "updated")
    title_column = list_column("title", length=44)
    course_title = list_column("course__title", length=36, description="course")
    updated = list_column("updated_at", description="updated")
    list_filter = ("status", "media_kind")
    search_fields = ("title", "course__title", "course__slug", "=id")
    list_select_related = ("course",)
    ordering = ("-updated_at",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("learner", "course_title", "paid", "enrolled", "completed")
    learner = list_column("user__email", length=32, description="learner")
    course_title = list_column("course__title", length=40, description="course")
    enrolled = list_column("enrolled_at", description="enrolled")
    completed = list_column("completed_at", description="completed")

    @admin.display(description="paid", ordering="amount_paid")
    def paid(self, enrollment):
        return f"{enrollment.amount_paid} {enrollment.currency}"

    list_filter = ("completed_at", "enrolled_at", "currency")
    search_fields = ("user__email", "user__username", "course__slug", "course__title", "=id")
    list_select_related = ("user", "course")
    date_hierarchy = "enrolled_at"


@admin.register(CourseSale)
class CourseSaleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sold", "course_title", "buyer_email", "creator_email", "amount", "currency")
    sold = list_column("sold_at", description="sold")
    course_title = list_column("course__title", length=36, description="course")
    buyer_email = list_column("buyer__email", length=28, description="buyer")
    creator_email = list_column("creator__email", length=28, description="creator")
    list_filter = ("currency", "sold_at")
    search_fields = ("course__slug", "buyer__email", "creator__email", "=invoice__number")
    list_select_related = ("course", "buyer", "creator", "invoice")
    date_hierarchy = "sold_at"


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_change = True

    list_display = ("code", "learner", "course_column", "completed", "issued", "revoked")
    learner = list_column("learner_name", length=28, description="learner")
    course_column = list_column("course_title", length=40, description="course")
    completed = list_column("completed_at", description="completed")
    issued = list_column("issued_at", description="issued")
    revoked = list_column("revoked_at", description="revoked")
    list_filter = ("revoked_at", "issued_at")
    search_fields = ("=code", "learner_name", "course_title", "enrollment__user__email")
    date_hierarchy = "issued_at"
    actions = ["revoke_certificates"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Revoke the selected certificates…", permissions=["change"])
    def revoke_certificates(self, request, queryset):
        def perform(reason: str) -> None:
            meta = RequestMeta.from_request(request)
            revoked = sum(
                services.certificate_revoke(
                    certificate=certificate, actor=request.user, reason=reason, meta=meta
                )
                for certificate in queryset
            )
            self.message_user(request, f"{revoked} certificate(s) revoked.", messages.SUCCESS)

        return action_confirm(
            self,
            request,
            queryset,
            title="Revoke certificates",
            consequence=(
                'Revoking is permanent: the public verification page will say "revoked" with '
                "today's date."
            ),
            confirm_label="Yes, revoke",
            perform=perform,
            describe=lambda certificate: (
                f"{certificate.code}: {certificate.learner_name} — {certificate.course_title}"
                + (" (already revoked)" if certificate.revoked_at else "")
            ),
        )


def _set_visibility(modeladmin, request, reviews, *, hidden: bool, reason: str = "") -> None:
    meta = RequestMeta.from_request(request)
    changed = sum(
        services.review_visibility_set(
            review=review, actor=request.user, hidden=hidden, meta=meta, reason=reason
        )
        for review in reviews
    )
    verb = "hidden" if hidden else "shown again"
    modeladmin.message_user(request, f"{changed} review(s) {verb}.", messages.SUCCESS)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_change = True

    list_display = ("course_title", "author", "rating", "is_hidden", "created", "updated")
    course_title = list_column("course__title", length=40, description="course")
    author = list_column("user__email", length=28, description="by")
    created = list_column("created_at", description="written")
    updated = list_column("updated_at", description="updated")
    list_filter = ("is_hidden", "rating", "created_at")
    search_fields = ("body", "user__email", "user__username", "course__slug", "course__title")
    list_select_related = ("course", "user")
    date_hierarchy = "created_at"
    actions = ["hide_reviews", "unhide_reviews"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Hide the selected reviews (abuse)…", permissions=["change"])
    def hide_reviews(self, request, queryset):
        return action_confirm(
            self,
            request,
            queryset.select_related("course", "user"),
            title="Hide reviews",
            consequence=(
                "They leave the course's review list and its average rating. Showing them "
                "again undoes it."
            ),
            confirm_label="Yes, hide",
            perform=lambda reason: _set_visibility(
                self, request, queryset, hidden=True, reason=reason
            ),
            describe=lambda review: (
                f"{review.rating}★ by {review.user.email} on “{review.course.title}”"
            ),
        )

    @admin.action(description="Show the selected reviews again", permissions=["change"])
    def unhide_reviews(self, request, queryset):
        _set_visibility(self, request, queryset, hidden=False)


operations_count_panel(
    key="lessons_failed",
    section=FAILED_JOBS,
    title="Lessons that failed processing",
    help_text="Lesson media the pipeline could not read; the creator must upload it again.",
    model=Lesson,
    filters={"status__exact": LessonStatus.FAILED},
    order=30,
)
