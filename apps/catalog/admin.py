"""The catalog part of the operations console: tracks, the moderation report queue, playlists.

Moderation actions call ``services.track_moderate`` / ``services.report_dismiss`` so every one is
audited with the staff member and their IP.
"""

from django.contrib import admin, messages

from apps.catalog import services
from apps.catalog.models import (
    Follow,
    HlsStatus,
    LibraryEntry,
    Playlist,
    PlaylistEntry,
    ProcessingStatus,
    Report,
    ReportStatus,
    ShareToken,
    Track,
)
from apps.catalog.services import ModerationAction
from veza.admin_tools import (
    FAILED_JOBS,
    NEEDS_ATTENTION,
    AuditedDeleteMixin,
    ReadOnlyAdminMixin,
    action_confirm,
    list_column,
    operations_count_panel,
    truncated,
)
from veza.audit import RequestMeta


def _moderate_tracks(
    modeladmin, request, tracks, action: ModerationAction, reason: str = ""
) -> None:
    meta = RequestMeta.from_request(request)
    count = 0
    for track in tracks:
        services.track_moderate(
            track=track, action=action, actor=request.user, meta=meta, reason=reason
        )
        count += 1
    modeladmin.message_user(
        request, f"{count} track(s): {action.value.replace('_', ' ')}.", messages.SUCCESS
    )


_MODERATION_PAGES = {
    ModerationAction.HIDE: (
        "Hide tracks",
        "They leave every list and search; their owners still see them. Open reports on them "
        "are closed as actioned. Restore undoes it.",
        "Yes, hide",
    ),
    ModerationAction.TAKE_DOWN: (
        "Take down tracks",
        "They disappear for everyone but staff and their media answers 404. Open reports on "
        "them are closed as actioned. Restore undoes it.",
        "Yes, take down",
    ),
}


def _moderation_confirm(modeladmin, request, queryset, tracks, action: ModerationAction):
    """Hiding and taking down go through the confirmation page with a reason (audited)."""
    title, consequence, confirm_label = _MODERATION_PAGES[action]
    return action_confirm(
        modeladmin,
        request,
        queryset,
        title=title,
        consequence=consequence,
        confirm_label=confirm_label,
        perform=lambda reason: _moderate_tracks(modeladmin, request, tracks, action, reason),
        describe=_track_label if queryset.model is Track else _report_label,
    )


def _track_label(track) -> str:
    return f"“{track.title}” by {track.owner.email}"


def _report_label(report) -> str:
    return f"“{report.track.title}” (reported: {report.get_reason_display()})"


@admin.register(Track)
class TrackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Tracks come from uploads (sniffed, processed), never from a form; staff take them down
    # (audited and reversible) instead of deleting them.
    allow_change = True

    list_display = (
        "title_column",
        "owner_email",
        "artist_column",
        "genre_column",
        "visibility",
        "status",
        "moderation",
        "hls",
        "plays",
        "created",
    )
    title_column = list_column("title", length=36)
    owner_email = list_column("owner__email", length=28, description="owner")
    artist_column = list_column("artist_name", length=24, description="artist")
    genre_column = list_column("genre", length=16)
    created = list_column("created_at", description="uploaded")
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

    @admin.display(description="moderation", ordering="moderation_status")
    def moderation(self, track):
        return track.get_moderation_status_display()

    @admin.display(description="HLS", ordering="hls_status")
    def hls(self, track):
        return track.get_hls_status_display()

    @admin.display(description="plays", ordering="play_count")
    def plays(self, track):
        return track.play_count

    @admin.action(description="Hide selected tracks (out of lists, owner still sees them)…")
    def hide_tracks(self, request, queryset):
        queryset = queryset.select_related("owner")
        return _moderation_confirm(self, request, queryset, queryset, ModerationAction.HIDE)

    @admin.action(description="Take down selected tracks (gone from lists, media 404)…")
    def take_down_tracks(self, request, queryset):
        queryset = queryset.select_related("owner")
        return _moderation_confirm(self, request, queryset, queryset, ModerationAction.TAKE_DOWN)

    @admin.action(description="Restore selected tracks")
    def restore_tracks(self, request, queryset):
        _moderate_tracks(self, request, queryset, ModerationAction.RESTORE)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The moderation queue: open reports first, oldest first within a status. Reports are
    read-only here; the actions decide them through the services."""

    list_display = (
        "created",
        "track_title",
        "track_moderation",
        "reason",
        "reporter_email",
        "status",
    )
    created = list_column("created_at", description="reported")
    track_title = list_column("track__title", length=40, description="track")
    reporter_email = list_column("reporter__email", length=28, description="reporter")
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

    @admin.action(description="Hide the reported tracks…")
    def hide_track(self, request, queryset):
        queryset = queryset.select_related("track")
        return _moderation_confirm(
            self, request, queryset, self._tracks(queryset), ModerationAction.HIDE
        )

    @admin.action(description="Take down the reported tracks…")
    def take_down_track(self, request, queryset):
        queryset = queryset.select_related("track")
        return _moderation_confirm(
            self, request, queryset, self._tracks(queryset), ModerationAction.TAKE_DOWN
        )

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
    # Removing an entry would be a deletion without a reason or an audit row; staff who must
    # take a playlist's content away delete the playlist (audited) or take the track down.
    can_delete = False
    raw_id_fields = ("track",)
    readonly_fields = ("added_at",)


@admin.register(Playlist)
class PlaylistAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    list_display = ("title_column", "owner_email", "visibility", "created")
    title_column = list_column("title", length=48)
    owner_email = list_column("owner__email", length=32, description="owner")
    created = list_column("created_at", description="created")
    list_filter = ("visibility", "created_at")
    search_fields = ("title", "owner__email", "=id")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    inlines = [PlaylistEntryInline]

    def delete_objects(self, request, objects):
        for playlist in objects:
            services.playlist_delete(playlist=playlist)


@admin.register(ShareToken)
class ShareTokenAdmin(AuditedDeleteMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Links are made by their owner, who alone sees the token; staff revoke them (the row
    # stays) or delete them (audited, with a reason).
    allow_change = True
    allow_delete = True

    list_display = (
        "short_id",
        "shared_item",
        "creator_email",
        "expires",
        "revoked",
        "created",
    )
    creator_email = list_column("created_by__email", length=28, description="made by")
    expires = list_column("expires_at", description="expires")
    revoked = list_column("revoked_at", description="revoked")
    created = list_column("created_at", description="created")
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

    def delete_objects(self, request, objects):
        services.share_tokens_delete(shares=objects)

    @admin.display(description="link", ordering="id")
    def short_id(self, share):
        return truncated(str(share.pk), 8)

    @admin.display(description="shared")
    def shared_item(self, share):
        if share.track_id:
            return truncated(f"Track: {share.track}", 40)
        return truncated(f"Playlist: {share.playlist}", 40)

    @admin.action(description="Revoke selected share links…")
    def revoke(self, request, queryset):
        def perform(reason: str) -> None:
            meta = RequestMeta.from_request(request)
            for share in queryset.filter(revoked_at__isnull=True):
                services.share_token_revoke(
                    share=share, actor=request.user, meta=meta, reason=reason
                )
            self.message_user(request, "Share links revoked.", messages.SUCCESS)

        return action_confirm(
            self,
            request,
            queryset.select_related("track", "playlist", "created_by"),
            title="Revoke share links",
            consequence="Anyone holding these links loses access at once; this is permanent.",
            confirm_label="Yes, revoke",
            perform=perform,
            describe=lambda share: (
                f"Link to “{share.track or share.playlist}” made by {share.created_by.email}"
            ),
        )


@admin.register(Follow)
class FollowAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    list_display = ("follower_email", "followee_email", "created")
    follower_email = list_column("follower__email", length=36, description="follower")
    followee_email = list_column("followee__email", length=36, description="follows")
    created = list_column("created_at", description="since")
    search_fields = ("follower__email", "followee__email")
    list_select_related = ("follower", "followee")
    raw_id_fields = ("follower", "followee")

    def delete_objects(self, request, objects):
        for follow in objects:
            services.follow_delete(follower=follow.follower, followee=follow.followee)


@admin.register(LibraryEntry)
class LibraryEntryAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    list_display = ("user_email", "track_title", "created")
    user_email = list_column("user__email", length=36, description="listener")
    track_title = list_column("track__title", length=48, description="track")
    created = list_column("created_at", description="saved")
    search_fields = ("user__email", "track__title")
    list_select_related = ("user", "track")
    raw_id_fields = ("user", "track")

    def delete_objects(self, request, objects):
        for entry in objects:
            services.library_remove(user=entry.user, track_id=entry.track_id)


operations_count_panel(
    key="open_reports",
    section=NEEDS_ATTENTION,
    title="Open reports",
    help_text="Listener reports nobody has decided yet (the moderation queue).",
    model=Report,
    filters={"status__exact": ReportStatus.OPEN},
    order=10,
)
operations_count_panel(
    key="tracks_failed",
    section=FAILED_JOBS,
    title="Tracks that failed processing",
    help_text="Uploads the audio pipeline could not read; the reason is on each track.",
    model=Track,
    filters={"status__exact": ProcessingStatus.FAILED},
    order=10,
)
operations_count_panel(
    key="hls_failed",
    section=FAILED_JOBS,
    title="Tracks whose HLS transcode failed",
    help_text="They still play through /stream; players fall back to it.",
    model=Track,
    filters={"hls_status__exact": HlsStatus.FAILED},
    order=20,
)
