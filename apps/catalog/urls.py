from django.urls import path

from apps.catalog import apis

urlpatterns = [
    path("tracks", apis.TrackListCreateApi.as_view(), name="track-list"),
    path("tracks/<uuid:track_id>", apis.TrackDetailApi.as_view(), name="track-detail"),
    path("tracks/<uuid:track_id>/share", apis.TrackShareApi.as_view(), name="track-share"),
    path("tracks/<uuid:track_id>/report", apis.TrackReportApi.as_view(), name="track-report"),
    path("shares/<uuid:share_id>", apis.ShareRevokeApi.as_view(), name="share-revoke"),
    path("search", apis.SearchApi.as_view(), name="search"),
    path("feed", apis.FeedApi.as_view(), name="feed"),
    path("library", apis.LibraryApi.as_view(), name="library"),
    path("library/tracks/<uuid:track_id>", apis.LibraryTrackApi.as_view(), name="library-track"),
    path("users/<uuid:user_id>/follow", apis.FollowApi.as_view(), name="user-follow"),
    path("playlists", apis.PlaylistListCreateApi.as_view(), name="playlist-list"),
    path("playlists/<uuid:playlist_id>", apis.PlaylistDetailApi.as_view(), name="playlist-detail"),
    path(
        "playlists/<uuid:playlist_id>/tracks",
        apis.PlaylistTracksApi.as_view(),
        name="playlist-tracks",
    ),
    path(
        "playlists/<uuid:playlist_id>/tracks/<uuid:track_id>",
        apis.PlaylistTrackDetailApi.as_view(),
        name="playlist-track-detail",
    ),
    path(
        "playlists/<uuid:playlist_id>/share",
        apis.PlaylistShareApi.as_view(),
        name="playlist-share",
    ),
]
