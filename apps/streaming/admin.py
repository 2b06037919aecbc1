from django.contrib import admin

from apps.streaming.models import PlayEvent
from veza.admin_tools import ReadOnlyAdminMixin


@admin.register(PlayEvent)
class PlayEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: playback events are facts for analytics, never edited."""

    list_display = (
        "created_at",
        "track",
        "listener",
        "source",
        "client",
        "seconds_played",
        "counted",
        "uncounted_reason",
        "country",
    )
    list_filter = ("counted", "uncounted_reason", "source", "country", "created_at")
    search_fields = ("=track__id", "listener__email", "session_id")
    list_select_related = ("track", "listener")
    show_full_result_count = False
