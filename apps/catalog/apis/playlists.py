"""Playlists: list, create, edit, delete, and their ordered tracks."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.catalog import selectors, services
from apps.catalog.apis.common import (
    NO_CONTENT,
    SHARE_TOKEN_PARAM,
    ReadOpenApi,
    serializer_context,
    share_token_from_request,
)
from apps.catalog.serializers import (
    PlaylistEntryOutputSerializer,
    PlaylistInputSerializer,
    PlaylistOutputSerializer,
    PlaylistTrackInputSerializer,
    PlaylistTrackRemoveInputSerializer,
    PlaylistUpdateInputSerializer,
)
from veza.api.exceptions import NotFound
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.api.schema import error_response

PLAYLIST_TRACK_REMOVE_404 = "NOT_FOUND: no such playlist, or the track is not in it."


class PlaylistListCreateApi(ReadOpenApi):
    parser_classes = [JSONParser]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["playlists"],
        parameters=[
            OpenApiParameter("mine", bool, description="Only your playlists (all visibilities)"),
            OpenApiParameter("ordering", str, description="created_at or title (prefix -)"),
        ],
        responses={200: PlaylistOutputSerializer(many=True)},
        summary="Public playlists, or yours with ?mine=true",
        description=(
            "Public playlists; with `?mine=true` the caller's own in every visibility. "
            "`?ordering=` accepts created_at or title (prefix `-`); anything else falls back "
            "to -created_at."
        ),
    )
    def get(self, request):
        mine = request.query_params.get("mine", "").lower() in ("1", "true", "yes")
        playlists = selectors.playlist_list(
            user=request.user, mine=mine, ordering=request.query_params.get("ordering")
        )
        return paginated_response(
            view=self,
            request=request,
            queryset=playlists,
            serializer_class=PlaylistOutputSerializer,
        )

    @extend_schema(
        tags=["playlists"],
        request=PlaylistInputSerializer,
        responses={201: PlaylistOutputSerializer},
        summary="Create a playlist",
        description=("Creates an empty playlist owned by the caller."),
    )
    def post(self, request):
        data = PlaylistInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        playlist = services.playlist_create(owner=request.user, **data.validated_data)
        playlist = selectors.playlist_access(playlist_id=playlist.pk, user=request.user)
        return Response(PlaylistOutputSerializer(playlist).data, status=status.HTTP_201_CREATED)


class PlaylistDetailApi(ReadOpenApi):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["playlists"],
        parameters=[SHARE_TOKEN_PARAM],
        responses={200: PlaylistOutputSerializer},
        summary="One playlist (private ones for the owner or a share token)",
        description=(
            "Public playlists for anyone; a private one for its owner, staff or a "
            "`?share_token=` (403 PERMISSION_DENIED otherwise)."
        ),
    )
    def get(self, request, playlist_id):
        playlist = selectors.playlist_access(
            playlist_id=playlist_id,
            user=request.user,
            share_token=share_token_from_request(request),
        )
        return Response(PlaylistOutputSerializer(playlist).data)

    @extend_schema(
        tags=["playlists"],
        request=PlaylistUpdateInputSerializer,
        responses={200: PlaylistOutputSerializer},
        summary="Edit a playlist (owner)",
        description=("Owner only (403 PERMISSION_DENIED otherwise)."),
    )
    def patch(self, request, playlist_id):
        playlist = selectors.playlist_owned(
            playlist_id=playlist_id,
            user=request.user,
            share_token=share_token_from_request(request),
        )
        data = PlaylistUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.playlist_update(playlist=playlist, data=data.validated_data)
        playlist = selectors.playlist_access(playlist_id=playlist.pk, user=request.user)
        return Response(PlaylistOutputSerializer(playlist).data)

    @extend_schema(
        tags=["playlists"],
        request=None,
        responses={204: NO_CONTENT},
        summary="Delete a playlist",
        description=("Owner only (403 PERMISSION_DENIED otherwise); the tracks themselves stay."),
    )
    def delete(self, request, playlist_id):
        services.playlist_delete(
            playlist=selectors.playlist_owned(
                playlist_id=playlist_id,
                user=request.user,
                share_token=share_token_from_request(request),
            )
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaylistTracksApi(ReadOpenApi):
    parser_classes = [JSONParser]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["playlists"],
        parameters=[SHARE_TOKEN_PARAM],
        responses={200: PlaylistEntryOutputSerializer(many=True)},
        summary="The playlist's tracks in order",
        description=(
            "The entries in order, with the same visibility as the playlist; tracks the "
            "caller may not see are left out."
        ),
    )
    def get(self, request, playlist_id):
        playlist = selectors.playlist_access(
            playlist_id=playlist_id,
            user=request.user,
            share_token=share_token_from_request(request),
            with_track_count=False,
        )
        entries = selectors.playlist_entries(
            playlist=playlist, user=request.user, share_token=share_token_from_request(request)
        )
        return paginated_response(
            view=self,
            request=request,
            queryset=entries,
            serializer_class=PlaylistEntryOutputSerializer,
            context=serializer_context(request),
        )

    @extend_schema(
        tags=["playlists"],
        request=PlaylistTrackInputSerializer,
        responses={201: PlaylistEntryOutputSerializer},
        summary="Add a track at a position (end by default)",
        description=(
            "Owner only. Inserts at `position` (0 is first; the end by default) and moves "
            "later entries down. A track already in the playlist: 400 VALIDATION_ERROR; a "
            "private track you may not open: 403 PERMISSION_DENIED; no such track: 404."
        ),
    )
    def post(self, request, playlist_id):
        playlist = selectors.playlist_owned(
            playlist_id=playlist_id,
            user=request.user,
            share_token=share_token_from_request(request),
        )
        data = PlaylistTrackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access = selectors.track_access(track_id=data.validated_data["track_id"], user=request.user)
        entry = services.playlist_track_add(
            playlist=playlist, track=access.track, position=data.validated_data.get("position")
        )
        return Response(
            PlaylistEntryOutputSerializer(entry, context=serializer_context(request)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=["playlists"],
        request=None,
        parameters=[
            OpenApiParameter(
                "track_id",
                OpenApiTypes.UUID,
                description="The track to remove.",
            )
        ],
        responses={204: NO_CONTENT, 404: error_response(PLAYLIST_TRACK_REMOVE_404)},
        deprecated=True,
        summary="Remove a track from the playlist (older form)",
        description=(
            "Older form of `DELETE /api/v1/playlists/{playlist_id}/tracks/{track_id}`, kept "
            "for existing clients: the track is named by `?track_id=`. Use the path form in "
            "new code. Owner only (403 PERMISSION_DENIED otherwise); 400 VALIDATION_ERROR "
            "without a valid `track_id`; 404 NOT_FOUND when the track is not in the playlist."
        ),
    )
    def delete(self, request, playlist_id):
        # Clients written before the path form send {"track_id"} as a DELETE body; it is
        # still read when the query does not name the track (not in the schema: OpenAPI
        # cannot describe a DELETE body).
        source = request.query_params if "track_id" in request.query_params else request.data
        data = PlaylistTrackRemoveInputSerializer(data=source)
        return _playlist_track_remove(request, playlist_id=playlist_id, data=data)


class PlaylistTrackDetailApi(ReadOpenApi):
    @extend_schema(
        tags=["playlists"],
        request=None,
        responses={204: NO_CONTENT, 404: error_response(PLAYLIST_TRACK_REMOVE_404)},
        # The older form keeps "playlists_tracks_destroy" for clients generated from it.
        operation_id="playlists_track_destroy",
        summary="Remove a track from the playlist",
        description=(
            "The tracks after it move up one position. Owner only (403 PERMISSION_DENIED "
            "otherwise, 404 NOT_FOUND for a private playlist you cannot see); 404 NOT_FOUND "
            "when the track is not in the playlist."
        ),
    )
    def delete(self, request, playlist_id, track_id):
        data = PlaylistTrackRemoveInputSerializer(data={"track_id": str(track_id)})
        return _playlist_track_remove(request, playlist_id=playlist_id, data=data)


def _playlist_track_remove(request, *, playlist_id, data) -> Response:
    playlist = selectors.playlist_owned(
        playlist_id=playlist_id,
        user=request.user,
        share_token=share_token_from_request(request),
    )
    data.is_valid(raise_exception=True)
    if not services.playlist_track_remove(
        playlist=playlist, track_id=data.validated_data["track_id"]
    ):
        raise NotFound()
    return Response(status=status.HTTP_204_NO_CONTENT)
