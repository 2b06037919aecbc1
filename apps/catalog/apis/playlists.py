"""Playlists: list, create, edit, delete, and their ordered tracks."""

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
        tags=["playlists"], request=None, responses={204: NO_CONTENT}, summary="Delete a playlist"
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
    )
    def get(self, request, playlist_id):
        playlist = selectors.playlist_access(
            playlist_id=playlist_id,
            user=request.user,
            share_token=share_token_from_request(request),
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
        request=PlaylistTrackRemoveInputSerializer,
        responses={204: NO_CONTENT},
        summary="Remove a track from the playlist",
    )
    def delete(self, request, playlist_id):
        playlist = selectors.playlist_owned(
            playlist_id=playlist_id,
            user=request.user,
            share_token=share_token_from_request(request),
        )
        data = PlaylistTrackRemoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not services.playlist_track_remove(
            playlist=playlist, track_id=data.validated_data["track_id"]
        ):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
