"""Distribution and royalties in the operations console. Statuses change only through the
services (the same transition table as the API, audited); imports go through the upload page;
the unmatched-lines queue is matched by actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.catalog.models import Track
from apps.distribution import selectors, services
from apps.distribution.models import (
    Distribution,
    ImportStatus,
    PlatformRelease,
    ReleaseStatus,
    RoyaltyImport,
    RoyaltyLine,
    RoyaltySplit,
    RoyaltySplitShare,
    StatusChange,
    TrackIsrc,
)
from apps.distribution.providers import SANDBOX_FAIL_MARKER, SANDBOX_REJECT_MARKER
from veza.admin_tools import (
    FAILED_JOBS,
    ReadOnlyAdminMixin,
    action_confirm,
    list_column,
    operations_count_panel,
    truncated,
)
from veza.api.exceptions import ApplicationError
from veza.audit import RequestMeta

SANDBOX_NOTE = (
    "Sandbox provider: platforms answer after their usual delays divided by "
    "DISTRIBUTION_SANDBOX_TIME_SCALE. A track whose title contains "
    f'"{SANDBOX_REJECT_MARKER}" is rejected by the platform; one with "{SANDBOX_FAIL_MARKER}" '
    "makes the provider fail on submit."
)


class ReleaseInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlatformRelease
    fields = (
        "platform",
        "status",
        "status_reason",
        "provider_reference",
        "submitted_at",
        "live_at",
        "next_check_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Distribution)
class DistributionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("isrc", "track_title", "owner_email", "statuses", "created")
    track_title = list_column("track__title", length=36, description="track")
    owner_email = list_column("owner__email", length=28, description="owner")
    created = list_column("created_at", description="submitted")
    search_fields = ("=isrc", "track__title", "owner__email")
    list_select_related = ("track", "owner")
    ordering = ("-created_at",)
    show_full_result_count = False
    inlines = [ReleaseInline]
    readonly_fields = ("id", "track", "owner", "isrc", "is_explicit", "created_at", "history")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("releases")

    @admin.display(description="Per platform")
    def statuses(self, obj):
        return ", ".join(f"{r.platform}: {r.status}" for r in obj.releases.all())

    @admin.display(description="History")
    def history(self, obj):
        rows = selectors.distribution_history(distribution=obj)
        return format_html(
            "<table><tr><th>When</th><th>Platform</th><th>From</th><th>To</th><th>By</th>"
            "<th>Reason</th></tr>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        f"{row.created_at:%Y-%m-%d %H:%M:%S}",
                        row.release.platform,
                        row.from_status,
                        row.to_status,
                        row.actor.email if row.actor_id else row.source,
                        row.reason,
                    )
                    for row in rows
                ),
            ),
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": SANDBOX_NOTE}
        return super().changelist_view(request, extra_context=extra_context)


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StatusChange
    fields = ("created_at", "from_status", "to_status", "source", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False


class OverrideForm(ActionForm):
    to_status = forms.ChoiceField(
        choices=[("", "---"), *ReleaseStatus.choices], required=False, label="New status"
    )
    reason = forms.CharField(required=False, max_length=500, label="Reason")


@admin.register(PlatformRelease)
class PlatformReleaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_change = True  # for the audited override action; every field stays read-only

    list_display = (
        "distribution",
        "platform",
        "status",
        "status_reason",
        "status_changed_at",
        "next_check_at",
    )
    list_filter = ("platform", "status")
    search_fields = ("=distribution__isrc", "track__title", "=provider_reference")
    list_select_related = ("distribution",)
    ordering = ("-status_changed_at",)
    show_full_result_count = False
    inlines = [StatusChangeInline]
    action_form = OverrideForm
    actions = ["override_status"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def save_model(self, request, obj, form, change):
        """Every field is read-only: statuses move through the override action only."""

    @admin.action(description="Set the status (with a reason; audited)", permissions=["change"])
    def override_status(self, request, queryset):
        to_status = request.POST.get("to_status", "")
        reason = request.POST.get("reason", "").strip()
        if to_status not in ReleaseStatus.values or not reason:
            self.message_user(request, "Choose a new status and give a reason.", messages.ERROR)
            return
        meta = RequestMeta.from_request(request)
        done = 0
        for release in queryset:
            try:
                services.release_status_override(
                    release=release,
                    to_status=to_status,
                    reason=reason,
                    actor=request.user,
                    meta=meta,
                )
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{release}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} release(s) set to {to_status}.", messages.SUCCESS)


class UploadForm(forms.Form):
    file = forms.FileField(label="Royalty report (CSV or TSV, UTF-8)")


@admin.register(RoyaltyImport)
class RoyaltyImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_change = True  # for the audited retry action; every field stays read-only

    list_display = (
        "file_name",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "imported_by",
        "lines_total",
        "lines_imported",
        "lines_duplicate",
        "lines_unmatched",
        "lines_error",
    )
    list_filter = ("status",)
    search_fields = ("file_name", "=sha256")
    list_select_related = ("imported_by",)
    ordering = ("-created_at",)
    change_list_template = "admin/distribution/royaltyimport/change_list.html"
    actions = ["retry"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def save_model(self, request, obj, form, change):
        """Read-only: an import changes through its job and the retry action."""

    @admin.action(description="Retry the selected failed imports…", permissions=["change"])
    def retry(self, request, queryset):
        def perform(reason: str) -> None:
            meta = RequestMeta.from_request(request)
            queued = sum(
                services.royalty_import_retry(
                    record=record, actor=request.user, reason=reason, meta=meta
                )
                for record in queryset
            )
            skipped = len(queryset) - queued
            self.message_user(request, f"{queued} import(s) queued again.", messages.SUCCESS)
            if skipped:
                self.message_user(
                    request,
                    f"{skipped} import(s) skipped: only a failed import whose report is still "
                    "stored can be retried.",
                    messages.WARNING,
                )

        return action_confirm(
            self,
            request,
            queryset,
            title="Retry royalty imports",
            consequence=(
                "Each failed import is queued again and re-reads its stored report; lines "
                "already imported from another report are skipped as duplicates."
            ),
            confirm_label="Yes, retry",
            perform=perform,
            describe=lambda record: f"{record.file_name} ({record.status})",
        )

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="distribution_royaltyimport_upload",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        result, error = None, None
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            meta = RequestMeta.from_request(request)
            if services.royalty_import_is_queued(size=upload.size):
                # Too big to import within the request: queued like the API's (202).
                queued = services.royalty_import_queue(
                    file=upload.file, file_name=upload.name, actor=request.user, meta=meta
                )
                record = queued.royalty_import
                self.message_user(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a> ({}).',
                        "The report is imported in the background:"
                        if queued.created
                        else "This report was uploaded before:",
                        reverse("admin:distribution_royaltyimport_change", args=[record.pk]),
                        record.file_name,
                        record.get_status_display().lower(),
                    ),
                    messages.SUCCESS if queued.created else messages.WARNING,
                )
                return redirect("admin:distribution_royaltyimport_changelist")
            try:
                result = services.royalty_import(
                    file=upload.file, file_name=upload.name, actor=request.user, meta=meta
                )
            except ApplicationError as exc:
                error = {"message": exc.message, "details": exc.details}
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a royalty report",
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "error": error,
            "unmatched_url": reverse("admin:distribution_royaltyline_changelist")
            + "?payee__isempty=1",
        }
        return TemplateResponse(request, "admin/distribution/royaltyimport/upload.html", context)


def _track_field():
    return forms.UUIDField(required=False, label="Track id (for “assign”)")


class MatchForm(ActionForm):
    track = _track_field()


class TrackIdForm(forms.Form):
    track = _track_field()


@admin.register(RoyaltyLine)
class RoyaltyLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_change = True  # for the matching actions; every field stays read-only

    list_display = (
        "isrc",
        "title_column",
        "artist_column",
        "platform_column",
        "month",
        "country",
        "qty",
        "earned",
        "track_title",
        "payee_email",
        "split",
        "source",
    )
    title_column = list_column("title", length=22)
    artist_column = list_column("artist", length=18)
    platform_column = list_column("platform", length=16)
    track_title = list_column("track__title", length=24, description="track")
    payee_email = list_column("payee__email", length=24, description="payee")

    @admin.display(description="month", ordering="sale_month")
    def month(self, line):
        return f"{line.sale_month:%Y-%m}"

    @admin.display(description="earnings", ordering="earnings")
    def earned(self, line):
        return f"{line.earnings.normalize():f} {line.currency}"

    @admin.display(description="qty", ordering="quantity")
    def qty(self, line):
        return line.quantity

    @admin.display(description="split", boolean=True, ordering="is_split")
    def split(self, line):
        return line.is_split

    @admin.display(description="from", ordering="royalty_import")
    def source(self, line):
        return truncated(f"{line.royalty_import} #{line.line_number}", 22)

    # The unmatched queue: lines never matched (no payee; a deleted track's lines keep theirs).
    list_filter = (("payee", admin.EmptyFieldListFilter), "platform", "currency")
    search_fields = ("=isrc", "title", "artist")
    list_select_related = ("track", "payee", "royalty_import")
    ordering = ("-id",)
    show_full_result_count = False
    action_form = MatchForm
    actions = ["match_by_isrc", "assign_to_track"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def save_model(self, request, obj, form, change):
        """Read-only: lines are matched by the actions."""

    @admin.action(description="Match again by ISRC", permissions=["change"])
    def match_by_isrc(self, request, queryset):
        matched = services.royalty_lines_match(
            line_ids=list(queryset.values_list("pk", flat=True)),
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        self.message_user(request, f"{matched} line(s) matched.", messages.SUCCESS)

    @admin.action(description="Assign to the track id given", permissions=["change"])
    def assign_to_track(self, request, queryset):
        form = TrackIdForm(request.POST)
        track = None
        if form.is_valid() and form.cleaned_data.get("track"):
            track = Track.objects.filter(pk=form.cleaned_data["track"]).first()
        if track is None:
            self.message_user(request, "Give the id of an existing track.", messages.ERROR)
            return
        matched = services.royalty_lines_match(
            line_ids=list(queryset.values_list("pk", flat=True)),
            track=track,
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        self.message_user(request, f"{matched} line(s) assigned to {track}.", messages.SUCCESS)


class SplitShareInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RoyaltySplitShare
    fields = ("user", "percent")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(RoyaltySplit)
class RoyaltySplitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("track", "effective_from", "created_by", "created_at")
    search_fields = ("track__title",)
    list_select_related = ("track", "created_by")
    ordering = ("track", "-effective_from")
    inlines = [SplitShareInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(TrackIsrc)
class TrackIsrcAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("isrc", "track", "is_generated", "created_at")
    search_fields = ("=isrc", "track__title")
    list_select_related = ("track",)
    list_filter = ("is_generated",)
    ordering = ("-created_at",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


operations_count_panel(
    key="releases_failed",
    section=FAILED_JOBS,
    title="Releases that failed at the provider",
    help_text="The distributor answered with an error; override the status with a reason.",
    model=PlatformRelease,
    filters={"status__exact": ReleaseStatus.FAILED},
    order=50,
)

operations_count_panel(
    key="royalty_imports_failed",
    section=FAILED_JOBS,
    title="Royalty imports that failed",
    help_text="Read the error on the import; retry it (with a reason) once the cause is fixed.",
    model=RoyaltyImport,
    filters={"status__exact": ImportStatus.FAILED},
    order=51,
)
