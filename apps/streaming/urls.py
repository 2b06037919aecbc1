from django.urls import path

from apps.streaming import apis

urlpatterns = [
    path("tracks/<uuid:track_id>/stream", apis.StreamApi.as_view(), name="track-stream"),
    path("tracks/<uuid:track_id>/download", apis.DownloadApi.as_view(), name="track-download"),
    path(
        "tracks/<uuid:track_id>/hls/master.m3u8",
        apis.HlsApi.as_view(),
        name="track-hls-master",
    ),
    path("tracks/<uuid:track_id>/hls/<path:name>", apis.HlsApi.as_view(), name="track-hls-file"),
    path("tracks/<uuid:track_id>/plays", apis.PlaysApi.as_view(), name="track-plays"),
    path("discover", apis.DiscoverApi.as_view(), name="discover"),
]
