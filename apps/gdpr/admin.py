"""Personal data in the operations console: exports and deletions (read-only, written by the
services), and accounts with the two support actions (start an export, delete the account),
both audited under the staff member's name."""

from django.contrib import admin, messages

from apps.gdpr.exceptions import AlreadyDeleted
from apps.gdpr.models import AccountDeletion, DataExport, DataSubject
from apps.gdpr.services import account_erase, export_request
from veza.admin_tools import ReadOnlyAdminMixin
from veza.audit import RequestMeta


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "status",
        "requested_by_staff",
        "created_at",
        "finished_at",
        "expires_at",
        "size",
        "attempts",
    ]
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
        "requested_by_staff",
        "requested_at",
        "hard_delete_after",
        "hard_deleted_at",
    ]
    list_filter = ["keep_public_tracks", ("hard_deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["requested_by_staff"]
    search_fields = ["=id", "=user__id"]
    date_hierarchy = "requested_at"


@admin.register(DataSubject)
class DataSubjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Find the account of a support request, then act on it."""

    list_display = ["email", "username", "is_active", "date_joined"]
    search_fields = ["email", "username", "=id"]
    actions = ["start_export", "delete_keeping_public_tracks", "delete_everything"]

    @admin.action(description="Start a data export (emailed to the account holder)")
    def start_export(self, request, queryset):
        meta = RequestMeta.from_request(request)
        for user in queryset:
            export_request(user=user, staff=request.user, meta=meta)
        self.message_user(request, f"{queryset.count()} export(s) started.", messages.SUCCESS)

    def _delete(self, request, queryset, *, keep_public_tracks: bool) -> None:
        if not request.user.is_superuser:
            self.message_user(request, "Only superusers may delete accounts.", messages.ERROR)
            return
        meta = RequestMeta.from_request(request)
        deleted = 0
        for user in queryset.exclude(pk=request.user.pk):
            try:
                account_erase(
                    user=user, keep_public_tracks=keep_public_tracks, staff=request.user, meta=meta
                )
            except AlreadyDeleted:
                continue
            deleted += 1
        self.message_user(request, f"{deleted} account(s) deleted.", messages.SUCCESS)

    @admin.action(description="Delete the account (keep public tracks under a pseudonym)")
    def delete_keeping_public_tracks(self, request, queryset):
        self._delete(request, queryset, keep_public_tracks=True)

    @admin.action(description="Delete the account and all its tracks")
    def delete_everything(self, request, queryset):
        self._delete(request, queryset, keep_public_tracks=False)
