"""Creator analytics routes under /api/v1/creator/analytics/ (shared/API.md)."""

from django.urls import path

from apps.analytics.apis import dashboards, live

PREFIX = "creator/analytics/"

urlpatterns = [
    path(f"{PREFIX}dashboard", dashboards.DashboardApi.as_view(), name="analytics-dashboard"),
    path(f"{PREFIX}plays", dashboards.PlaysApi.as_view(), name="analytics-plays"),
    path(f"{PREFIX}tracks", dashboards.TracksApi.as_view(), name="analytics-tracks"),
    path(f"{PREFIX}discovery", dashboards.DiscoveryApi.as_view(), name="analytics-discovery"),
    path(f"{PREFIX}geographic", dashboards.GeographicApi.as_view(), name="analytics-geographic"),
    path(f"{PREFIX}audience", dashboards.AudienceApi.as_view(), name="analytics-audience"),
    path(f"{PREFIX}sales", dashboards.SalesApi.as_view(), name="analytics-sales"),
    path(f"{PREFIX}export", dashboards.ExportApi.as_view(), name="analytics-export"),
    path(f"{PREFIX}live", live.LiveSessionListCreateApi.as_view(), name="analytics-live-list"),
    path(
        f"{PREFIX}live/<uuid:stream_id>",
        live.LiveSessionDetailApi.as_view(),
        name="analytics-live-detail",
    ),
    path(
        f"{PREFIX}live/<uuid:stream_id>/events",
        live.LiveViewerEventsApi.as_view(),
        name="analytics-live-events",
    ),
]
