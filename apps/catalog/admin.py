"""The catalog part of the operations console: tracks, the moderation report queue, playlists.

Moderation actions call ``services.track_moderate`` / ``services.report_dismiss`` so every one is
audited with the staff member and their IP.
"""

from django.contrib import admin, messages

from apps.catalog import services
from apps.catalog.models import (
    Follow,
    LibraryEntry,
    Playlist,
    PlaylistEntry,
    Report,
    ReportStatus,
    ShareToken,
    Track,
)
from apps.catalog.services import ModerationAction
from veza.admin_tools import ReadOnlyAdminMixin
from veza.audit import RequestMeta


def _moderate_tracks(modeladmin, request, tracks, action: ModerationAction) -> None:
    meta = RequestMeta.from_request(request)
    count = 0
    for track in tracks:
        services.track_moderate(track=track, action=action, actor=request.user, meta=meta)
        count += 1
    modeladmin.message_user(
        request, f"{count} track(s): {action.value.replace('_', ' ')}.", messages.SUCCESS
    )


@admin.register(Track)
class TrackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Tracks come from uploads (sniffed, processed), never from a form; staff take them down
    # (audited and reversible) instead of deleting them.
    allow_change = True

    list_display = (
        "title",
        "owner",
        "artist_name",
        "genre",
        "visibility",
        "status",
        "moderation_status",
        "hls_status",
        "play_count",
        "duration",
        "created_at",
    )
    list_filter = ("status", "moderation_status", "visibility", "hls_status", "genre", "created_at")
    search_fields = ("title", "artist_name", "album", "owner__email", "owner__username", "=id")
    list_select_related = ("owner",)
    readonly_fields = (
        "id",
        "owner",
        "audio_file",
        "content_type",
        "container",
        "duration",
        "bitrate",
        "codec",
        "size",
        "sha256",
        "status",
        "failure_reason",
        "moderation_status",
        "hls_status",
        # The background jobs: starts so far, and when the job sweeper looks again.
        "processing_attempts",
        "processing_deadline",
        "hls_attempts",
        "hls_deadline",
        "play_count",
        "created_at",
        "updated_at",
    )
    fields = (
        "title",
        "artist_name",
        "album",
        "genre",
        "tags",
        "description",
        "visibility",
        "cover_image",
        *readonly_fields,
    )
    actions = ("hide_tracks", "take_down_tracks", "restore_tracks")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.track_admin_edit_record(
            track=obj,
            actor=request.user,
            fields=list(form.changed_data),
            meta=RequestMeta.from_request(request),
        )

    @admin.action(description="Hide selected tracks (out of lists, owner still sees them)")
    def hide_tracks(self, request, queryset):
        _moderate_tracks(self, request, queryset, ModerationAction.HIDE)

    @admin.action(description="Take down selected tracks (gone from lists, media 404)")
    def take_down_tracks(self, request, queryset):
        _moderate_tracks(self, request, queryset, ModerationAction.TAKE_DOWN)

    @admin.action(description="Restore selected tracks")
    def restore_tracks(self, request, queryset):
        _moderate_tracks(self, request, queryset, ModerationAction.RESTORE)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The moderation queue: open reports first, oldest first within a status. Reports are
    read-only here; the actions decide them through the services."""

    list_display = ("created_at", "track", "track_moderation", "reason", "reporter", "status")
    list_filter = ("status", "reason", "created_at")
    search_fields = ("track__title", "reporter__email", "details", "=track__id")
    list_select_related = ("track", "reporter")
    readonly_fields = (
        "id",
        "track",
        "reporter",
        "reason",
        "details",
        "status",
        "resolved_by",
        "resolved_at",
        "resolution",
        "created_at",
    )
    ordering = ("created_at",)
    actions = ("hide_track", "take_down_track", "restore_track", "dismiss_reports")

    def get_changelist(self, request, **kwargs):
        # The queue opens on open reports; the filter still shows the others.
        if "status__exact" not in request.GET and "status" not in request.GET:
            request.GET = request.GET.copy()
            request.GET["status__exact"] = ReportStatus.OPEN
        return super().get_changelist(request, **kwargs)

    @admin.display(description="Track status")
    def track_moderation(self, report) -> str:
        return report.track.get_moderation_status_display()

    def _tracks(self, queryset):
        return Track.objects.filter(pk__in=queryset.values("track_id"))

    @admin.action(description="Hide the reported tracks")
    def hide_track(self, request, queryset):
        _moderate_tracks(self, request, self._tracks(queryset), ModerationAction.HIDE)

    @admin.action(description="Take down the reported tracks")
    def take_down_track(self, request, queryset):
        _moderate_tracks(self, request, self._tracks(queryset), ModerationAction.TAKE_DOWN)

    @admin.action(description="Restore the reported tracks")
    def restore_track(self, request, queryset):
        _moderate_tracks(self, request, self._tracks(queryset), ModerationAction.RESTORE)

    @admin.action(description="Dismiss the selected reports")
    def dismiss_reports(self, request, queryset):
        meta = RequestMeta.from_request(request)
        dismissed = sum(
            services.report_dismiss(report=report, actor=request.user, meta=meta)
            for report in queryset.filter(status=ReportStatus.OPEN)
        )
        self.message_user(request, f"{dismissed} report(s) dismissed.", messages.SUCCESS)


class PlaylistEntryInline(admin.TabularInline):
    model = PlaylistEntry
    extra = 0
    raw_id_fields = ("track",)
    readonly_fields = ("added_at",)


@admin.register(Playlist)
class PlaylistAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "visibility", "created_at")
    list_filter = ("visibility", "created_at")
    search_fields = ("title", "owner__email", "=id")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    inlines = [PlaylistEntryInline]


@admin.register(ShareToken)
class ShareTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Links are made by their owner, who alone sees the token; staff revoke them.
    allow_change = True
    allow_delete = True

    list_display = (
        "id",
        "track",
        "playlist",
        "created_by",
        "expires_at",
        "revoked_at",
        "created_at",
    )
    list_filter = ("revoked_at", "created_at")
    search_fields = ("created_by__email", "=track__id", "=playlist__id")
    list_select_related = ("track", "playlist", "created_by")
    readonly_fields = (
        "id",
        "token_hash",
        "track",
        "playlist",
        "created_by",
        "expires_at",
        "revoked_at",
        "created_at",
    )
    actions = ("revoke",)

    @admin.action(description="Revoke selected share tokens")
    def revoke(self, request, queryset):
        meta = RequestMeta.from_request(request)
        for share in queryset.filter(revoked_at__isnull=True):
            services.share_token_revoke(share=share, actor=request.user, meta=meta)
        self.message_user(request, "Share tokens revoked.", messages.SUCCESS)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created_at")
    search_fields = ("follower__email", "followee__email")
    list_select_related = ("follower", "followee")
    raw_id_fields = ("follower", "followee")


@admin.register(LibraryEntry)
class LibraryEntryAdmin(admin.ModelAdmin):
    list_display = ("user", "track", "created_at")
    search_fields = ("user__email", "track__title")
    list_select_related = ("user", "track")
    raw_id_fields = ("user", "track")
