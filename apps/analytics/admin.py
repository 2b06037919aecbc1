"""Creator analytics in the operations console: read-only rollups, mark and live sessions.

The one write is a repair: rebuilding the rollups of the selected rows' time range from the raw
events, through the same service as the job (audited there).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Max, Min

from apps.analytics import services
from apps.analytics.definitions import BUCKET
from apps.analytics.models import (
    ListenerRollup,
    LiveSession,
    LiveViewerEvent,
    PlayRollup,
    RollupState,
)
from veza.admin_tools import ReadOnlyAdminMixin
from veza.audit import RequestMeta


@admin.action(description="Rebuild the rollups of the selected rows' time range (all creators)")
def rebuild_range(modeladmin, request, queryset):
    bounds = queryset.aggregate(first=Min("bucket"), last=Max("bucket"))
    if bounds["first"] is None:
        return
    events = services.rollup_rebuild(
        start=bounds["first"],
        end=bounds["last"] + BUCKET,
        actor=request.user,
        meta=RequestMeta.from_request(request),
    )
    modeladmin.message_user(
        request,
        f"Rebuilt {bounds['first']:%Y-%m-%d %H:%M} to {bounds['last'] + BUCKET:%Y-%m-%d %H:%M} "
        f"UTC from {events} counted events.",
        messages.SUCCESS,
    )


@admin.register(RollupState)
class RollupStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("job", "last_event_id", "updated_at")


@admin.register(PlayRollup)
class PlayRollupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("bucket", "creator", "track", "source", "country", "plays", "listening_seconds")
    list_filter = ("source",)
    search_fields = ("creator__email", "track__title")
    date_hierarchy = "bucket"
    list_select_related = ("creator", "track")
    show_full_result_count = False
    actions = [rebuild_range]


@admin.register(ListenerRollup)
class ListenerRollupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("bucket", "creator", "listener", "source", "country", "plays")
    search_fields = ("creator__email",)
    date_hierarchy = "bucket"
    list_select_related = ("creator",)
    show_full_result_count = False
    actions = [rebuild_range]


class LiveViewerEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LiveViewerEvent
    fields = ("at", "viewer", "kind", "received_at")
    readonly_fields = fields
    extra = 0
    max_num = 0


@admin.register(LiveSession)
class LiveSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "creator", "scheduled_start", "ended_at", "created_at")
    search_fields = ("title", "creator__email")
    list_select_related = ("creator",)
    inlines = [LiveViewerEventInline]
