"""Personal data in the operations console: exports and deletions (read-only, written by the
services), and accounts with the two support actions (start an export, delete the account),
both audited under the staff member's name."""

from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat

from apps.gdpr.exceptions import AlreadyDeleted
from apps.gdpr.models import AccountDeletion, DataExport, DataSubject, ExportStatus
from apps.gdpr.services import account_erase, export_request
from veza.admin_tools import (
    FAILED_JOBS,
    ReadOnlyAdminMixin,
    action_confirm,
    list_column,
    operations_count_panel,
    truncated,
)
from veza.audit import RequestMeta


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "short_id",
        "user_email",
        "status",
        "staff_email",
        "created",
        "finished",
        "expires",
        "size_column",
        "attempts",
    ]
    user_email = list_column("user__email", length=32, description="account")
    staff_email = list_column("requested_by_staff__email", length=24, description="for staff")
    created = list_column("created_at", description="requested")
    finished = list_column("finished_at", description="finished")
    expires = list_column("expires_at", description="expires")

    @admin.display(description="export", ordering="id")
    def short_id(self, export):
        return truncated(str(export.pk), 8)

    @admin.display(description="size", ordering="size")
    def size_column(self, export):
        return filesizeformat(export.size) if export.size else "—"

    list_filter = ["status"]
    list_select_related = ["user", "requested_by_staff"]
    search_fields = ["=id", "user__email"]
    date_hierarchy = "created_at"


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "user_id",
        "keep_public_tracks",
        "staff_email",
        "requested",
        "hard_delete_due",
        "hard_deleted",
    ]
    staff_email = list_column("requested_by_staff__email", length=24, description="by staff")
    requested = list_column("requested_at", description="requested")
    hard_delete_due = list_column("hard_delete_after", description="erased for good after")
    hard_deleted = list_column("hard_deleted_at", description="erased")
    list_filter = ["keep_public_tracks", ("hard_deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["requested_by_staff"]
    search_fields = ["=id", "=user__id"]
    date_hierarchy = "requested_at"


@admin.register(DataSubject)
class DataSubjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Find the account of a support request, then act on it."""

    list_display = ["email_column", "username_column", "is_active", "joined"]
    email_column = list_column("email", length=40)
    username_column = list_column("username", length=24)
    joined = list_column("date_joined", description="joined")
    search_fields = ["email", "username", "=id"]
    actions = ["start_export", "delete_keeping_public_tracks", "delete_everything"]

    @admin.action(description="Start a data export (emailed to the account holder)")
    def start_export(self, request, queryset):
        meta = RequestMeta.from_request(request)
        for user in queryset:
            export_request(user=user, staff=request.user, meta=meta)
        self.message_user(request, f"{queryset.count()} export(s) started.", messages.SUCCESS)

    def _delete(self, request, queryset, *, keep_public_tracks: bool):
        if not request.user.is_superuser:
            self.message_user(request, "Only superusers may delete accounts.", messages.ERROR)
            return None

        def perform(reason: str) -> None:
            meta = RequestMeta.from_request(request)
            deleted = 0
            for user in queryset.exclude(pk=request.user.pk):
                try:
                    account_erase(
                        user=user,
                        keep_public_tracks=keep_public_tracks,
                        staff=request.user,
                        meta=meta,
                        reason=reason,
                    )
                except AlreadyDeleted:
                    continue
                deleted += 1
            self.message_user(request, f"{deleted} account(s) deleted.", messages.SUCCESS)

        tracks = (
            "Public tracks stay, under a pseudonym; every other track goes."
            if keep_public_tracks
            else "Every track of theirs goes too."
        )
        return action_confirm(
            self,
            request,
            queryset,
            title="Delete accounts",
            consequence=(
                "The accounts are anonymised now and erased for good after the grace period; "
                f"their owners are emailed. {tracks} Your own account is skipped."
            ),
            confirm_label="Yes, delete",
            perform=perform,
            describe=lambda user: f"{user.email} ({user.username})",
        )

    @admin.action(description="Delete the account (keep public tracks under a pseudonym)…")
    def delete_keeping_public_tracks(self, request, queryset):
        return self._delete(request, queryset, keep_public_tracks=True)

    @admin.action(description="Delete the account and all its tracks…")
    def delete_everything(self, request, queryset):
        return self._delete(request, queryset, keep_public_tracks=False)


operations_count_panel(
    key="exports_failed",
    section=FAILED_JOBS,
    title="Data exports that failed",
    help_text="The account holder can ask again; the reason is on each export.",
    model=DataExport,
    filters={"status__exact": ExportStatus.FAILED},
    order=40,
)
