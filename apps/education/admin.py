"""The education part of the operations console.

Every staff write goes through a service, so the audit row and the rules are the ones the API
applies: lifecycle actions (publish, archive), course edits, certificate revocation (with a
reason, after a confirmation page) and hiding or showing reviews. Enrollments, sales and
lessons are read-only here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from apps.education import services
from apps.education.exceptions import EducationError
from apps.education.models import (
    Certificate,
    Course,
    CourseSale,
    Enrollment,
    Lesson,
    Review,
)
from apps.education.services.courses import COURSE_EDITABLE_FIELDS
from veza.admin_tools import ReadOnlyAdminMixin
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


def _lifecycle(modeladmin, request, courses, service, verb: str) -> None:
    meta = RequestMeta.from_request(request)
    done = 0
    for course in courses:
        try:
            service(course=course, actor=request.user, meta=meta)
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
        "title",
        "slug",
        "owner",
        "status",
        "level",
        "price",
        "currency",
        "rating_average",
        "rating_count",
        "published_at",
        "created_at",
    )
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

    @admin.action(description="Publish the selected courses", permissions=["change"])
    def publish_courses(self, request, queryset):
        _lifecycle(self, request, queryset, services.course_publish, "published")

    @admin.action(description="Archive the selected courses", permissions=["change"])
    def archive_courses(self, request, queryset):
        _lifecycle(self, request, queryset, services.course_archive, "archived")


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "course", "amount_paid", "currency", "enrolled_at", "completed_at")
    list_filter = ("completed_at", "enrolled_at", "currency")
    search_fields = ("user__email", "user__username", "course__slug", "course__title", "=id")
    list_select_related = ("user", "course")
    date_hierarchy = "enrolled_at"


@admin.register(CourseSale)
class CourseSaleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sold_at", "course", "buyer", "creator", "amount", "currency", "invoice")
    list_filter = ("currency", "sold_at")
    search_fields = ("course__slug", "buyer__email", "creator__email", "=invoice__number")
    list_select_related = ("course", "buyer", "creator", "invoice")
    date_hierarchy = "sold_at"


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"size": 80}))


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_change = True

    list_display = (
        "code",
        "learner_name",
        "course_title",
        "completed_at",
        "issued_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "issued_at")
    search_fields = ("=code", "learner_name", "course_title", "enrollment__user__email")
    date_hierarchy = "issued_at"
    actions = ["revoke_certificates"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Revoke the selected certificates…", permissions=["change"])
    def revoke_certificates(self, request, queryset):
        """Asks for a reason on a confirmation page, then revokes through the service."""
        form = RevokeForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            meta = RequestMeta.from_request(request)
            revoked = sum(
                services.certificate_revoke(
                    certificate=certificate,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    meta=meta,
                )
                for certificate in queryset
            )
            self.message_user(request, f"{revoked} certificate(s) revoked.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke certificates",
            "opts": self.model._meta,
            "certificates": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/education/certificate_revoke.html", context)


def _set_visibility(modeladmin, request, reviews, *, hidden: bool) -> None:
    meta = RequestMeta.from_request(request)
    changed = sum(
        services.review_visibility_set(review=review, actor=request.user, hidden=hidden, meta=meta)
        for review in reviews
    )
    verb = "hidden" if hidden else "shown again"
    modeladmin.message_user(request, f"{changed} review(s) {verb}.", messages.SUCCESS)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_change = True

    list_display = ("course", "user", "rating", "is_hidden", "created_at", "updated_at")
    list_filter = ("is_hidden", "rating", "created_at")
    search_fields = ("body", "user__email", "user__username", "course__slug", "course__title")
    list_select_related = ("course", "user")
    date_hierarchy = "created_at"
    actions = ["hide_reviews", "unhide_reviews"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Hide the selected reviews (abuse)", permissions=["change"])
    def hide_reviews(self, request, queryset):
        _set_visibility(self, request, queryset, hidden=True)

    @admin.action(description="Show the selected reviews again", permissions=["change"])
    def unhide_reviews(self, request, queryset):
        _set_visibility(self, request, queryset, hidden=False)
