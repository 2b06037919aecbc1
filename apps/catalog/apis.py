"""Catalog API (shared/API.md, Catalog and streaming). Thin: parse, call a service or selector."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.permissions import IsContentCreator
from apps.catalog import selectors, services
from apps.catalog.models import Playlist, ShareToken
from apps.catalog.serializers import (
    FollowOutputSerializer,
    LibraryEntryOutputSerializer,
    PlaylistEntryOutputSerializer,
    PlaylistInputSerializer,
    PlaylistOutputSerializer,
    PlaylistTrackInputSerializer,
    PlaylistTrackRemoveInputSerializer,
    PlaylistUpdateInputSerializer,
    ReportInputSerializer,
    ReportOutputSerializer,
    SearchOutputSerializer,
    SearchQuerySerializer,
    ShareInputSerializer,
    ShareOutputSerializer,
    TrackListItemSerializer,
    TrackListQuerySerializer,
    TrackOutputSerializer,
    TrackUpdateInputSerializer,
    TrackUploadInputSerializer,
)
from apps.catalog.uploads import upload_limit_enforce
from apps.platform_settings.selectors import flag_enabled
from veza.api.exceptions import Forbidden, NotFound
from veza.api.pagination import CursorPagination, PageNumberPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.api.schema import ErrorEnvelopeSerializer
from veza.api.views import OptionalAuthApiMixin
from veza.audit import RequestMeta

SHARE_TOKEN_PARAM = OpenApiParameter(
    "share_token", str, description="A share token that unlocks this private item."
)
NO_CONTENT = OpenApiResponse(description="Done.")


def serializer_context(request) -> dict:
    """What track serializers need: the request, and whether HLS links are offered."""
    return {"request": request, "hls_enabled": flag_enabled("hls_streaming")}


def share_token_from_request(request) -> str | None:
    """``?share_token=`` (on the /stream hot path: read directly, no serializer).

    A malformed or oversized token simply matches nothing (403 for a private track).
    """
    token = request.query_params.get("share_token")
    return token if token and len(token) <= 128 else None


class TrackListCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = PageNumberPagination

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), IsContentCreator()]
        return [AllowAny()]

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            upload_limit_enforce(request._request, max_bytes=settings.TRACK_UPLOAD_MAX_BYTES)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=["tracks"],
        parameters=[TrackListQuerySerializer],
        responses={200: TrackListItemSerializer(many=True)},
        summary="Public tracks (ready, public, not moderated), filtered and ordered",
    )
    def get(self, request):
        params = request.query_params.copy()
        # ?ordering= never fails: anything off the whitelist falls back (shared/API.md).
        ordering = params.pop("ordering", [""])[-1]
        query = TrackListQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        tracks = selectors.track_list(**query.validated_data, ordering=ordering)
        return paginated_response(
            view=self,
            request=request,
            queryset=tracks,
            serializer_class=TrackListItemSerializer,
            context=serializer_context(request),
        )

    @extend_schema(
        tags=["tracks"],
        request={"multipart/form-data": TrackUploadInputSerializer},
        responses={
            201: TrackOutputSerializer,
            411: OpenApiResponse(
                response=ErrorEnvelopeSerializer,
                description="LENGTH_REQUIRED: a chunked body on a server that does not "
                "de-chunk it (gunicorn does; send Content-Length otherwise).",
            ),
        },
        summary="Upload a track (content-creator roles); processed in the background",
        description=(
            "A chunked body (Transfer-Encoding: chunked, no Content-Length) is accepted up to "
            "the size limit (413 PAYLOAD_TOO_LARGE past it). The file is judged by its bytes, "
            "never its name: 415 UNSUPPORTED_MEDIA_TYPE says in words what was wrong."
        ),
    )
    def post(self, request):
        data = TrackUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        track = services.track_upload(
            owner=request.user,
            **data.validated_data,
            max_bytes=settings.TRACK_UPLOAD_MAX_BYTES,
            meta=RequestMeta.from_request(request),
        )
        return Response(
            TrackOutputSerializer(track, context=serializer_context(request)).data,
            status=status.HTTP_201_CREATED,
        )


class TrackDetailApi(APIView):
    parser_classes = [JSONParser]

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        tags=["tracks"],
        parameters=[SHARE_TOKEN_PARAM],
        responses={200: TrackOutputSerializer},
        summary="One track (private ones for the owner, staff or a share token)",
    )
    def get(self, request, track_id):
        access = selectors.track_access(
            track_id=track_id, user=request.user, share_token=share_token_from_request(request)
        )
        return Response(
            TrackOutputSerializer(access.track, context=serializer_context(request)).data
        )

    @extend_schema(
        tags=["tracks"],
        request=TrackUpdateInputSerializer,
        responses={200: TrackOutputSerializer},
        summary="Edit a track (owner or staff)",
    )
    def patch(self, request, track_id):
        track = selectors.track_owned(track_id=track_id, user=request.user)
        data = TrackUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        track = services.track_update(
            track=track,
            actor=request.user,
            data=data.validated_data,
            meta=RequestMeta.from_request(request),
        )
        return Response(TrackOutputSerializer(track, context=serializer_context(request)).data)

    @extend_schema(
        tags=["tracks"], request=None, responses={204: NO_CONTENT}, summary="Delete a track"
    )
    def delete(self, request, track_id):
        track = selectors.track_owned(track_id=track_id, user=request.user)
        services.track_delete(
            track=track, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _share_response(request, share, raw, path) -> Response:
    url = request.build_absolute_uri(f"{path}?share_token={raw}")
    body = {"id": share.pk, "token": raw, "url": url, "expires_at": share.expires_at}
    return Response(ShareOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class TrackShareApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["tracks"],
        request=ShareInputSerializer,
        responses={201: ShareOutputSerializer},
        summary="Create a share token that lets anyone stream this track (owner)",
    )
    def post(self, request, track_id):
        track = selectors.track_owned(track_id=track_id, user=request.user)
        data = ShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share, raw = services.share_token_create(
            actor=request.user,
            track=track,
            expires_at=data.validated_data.get("expires_at"),
            meta=RequestMeta.from_request(request),
        )
        return _share_response(request, share, raw, f"/api/v1/tracks/{track.pk}/stream")


class ShareRevokeApi(APIView):
    @extend_schema(
        tags=["tracks"], request=None, responses={204: NO_CONTENT}, summary="Revoke a share token"
    )
    def delete(self, request, share_id):
        share = get_object_or_404(
            ShareToken.objects.select_related("track", "playlist"), pk=share_id
        )
        if share.created_by_id != request.user.pk and not request.user.is_staff:
            raise NotFound()
        services.share_token_revoke(
            share=share, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrackReportApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["tracks"],
        request=ReportInputSerializer,
        responses={201: ReportOutputSerializer, 200: ReportOutputSerializer},
        summary="Report a track to the moderators (one open report per person and track)",
    )
    def post(self, request, track_id):
        access = selectors.track_access(
            track_id=track_id, user=request.user, share_token=share_token_from_request(request)
        )
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report, created = services.report_file(
            track=access.track,
            reporter=request.user,
            **data.validated_data,
            meta=RequestMeta.from_request(request),
        )
        return Response(
            ReportOutputSerializer(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class SearchApi(OptionalAuthApiMixin, APIView):
    """Anonymous callers welcome; a bad token is still refused (401)."""

    @extend_schema(
        tags=["tracks"],
        parameters=[SearchQuerySerializer],
        responses={200: SearchOutputSerializer},
        summary="Search tracks (ranked full text), artists and playlists",
    )
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q, limit = query.validated_data["q"], query.validated_data["limit"]
        body = {
            "tracks": selectors.track_search(query=q, limit=limit),
            "artists": selectors.artist_search(query=q, limit=limit),
            "playlists": selectors.playlist_search(query=q, limit=limit),
        }
        return Response(SearchOutputSerializer(body, context=serializer_context(request)).data)


class CreatedCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")


class FeedApi(APIView):
    pagination_class = CreatedCursorPagination

    @extend_schema(
        tags=["tracks"],
        responses={200: TrackListItemSerializer(many=True)},
        summary="Recent tracks of the creators you follow (cursor-paginated)",
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.feed_tracks(user=request.user),
            serializer_class=TrackListItemSerializer,
            context=serializer_context(request),
        )


class LibraryApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["library"],
        responses={200: LibraryEntryOutputSerializer(many=True)},
        summary="Your saved tracks, newest first",
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.library_tracks(user=request.user),
            serializer_class=LibraryEntryOutputSerializer,
            context=serializer_context(request),
        )


class LibraryTrackApi(APIView):
    @extend_schema(
        tags=["library"], request=None, responses={204: NO_CONTENT}, summary="Save a track"
    )
    def put(self, request, track_id):
        access = selectors.track_access(
            track_id=track_id, user=request.user, share_token=share_token_from_request(request)
        )
        services.library_add(user=request.user, track=access.track, share=access.share)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["library"], request=None, responses={204: NO_CONTENT}, summary="Unsave a track"
    )
    def delete(self, request, track_id):
        services.library_remove(user=request.user, track_id=track_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowApi(APIView):
    def _followee(self, user_id) -> User:
        return get_object_or_404(User.objects.filter(is_active=True), pk=user_id)

    @extend_schema(
        tags=["users"],
        request=None,
        responses={200: FollowOutputSerializer},
        summary="Follow a user (idempotent)",
    )
    def post(self, request, user_id):
        services.follow_create(follower=request.user, followee=self._followee(user_id))
        return Response(FollowOutputSerializer({"following": True}).data)

    @extend_schema(
        tags=["users"],
        request=None,
        responses={200: FollowOutputSerializer},
        summary="Unfollow a user (idempotent)",
    )
    def delete(self, request, user_id):
        services.follow_delete(follower=request.user, followee=self._followee(user_id))
        return Response(FollowOutputSerializer({"following": False}).data)


# --- Playlists ---------------------------------------------------------------------------


def _owned_playlist(request, playlist_id) -> Playlist:
    playlist = selectors.playlist_access(
        playlist_id=playlist_id, user=request.user, share_token=share_token_from_request(request)
    )
    if playlist.owner_id != request.user.pk and not request.user.is_staff:
        raise Forbidden()
    return playlist


class PlaylistListCreateApi(APIView):
    parser_classes = [JSONParser]
    pagination_class = PageNumberPagination

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

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


class PlaylistDetailApi(APIView):
    parser_classes = [JSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

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
        playlist = _owned_playlist(request, playlist_id)
        data = PlaylistUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.playlist_update(playlist=playlist, data=data.validated_data)
        playlist = selectors.playlist_access(playlist_id=playlist.pk, user=request.user)
        return Response(PlaylistOutputSerializer(playlist).data)

    @extend_schema(
        tags=["playlists"], request=None, responses={204: NO_CONTENT}, summary="Delete a playlist"
    )
    def delete(self, request, playlist_id):
        services.playlist_delete(playlist=_owned_playlist(request, playlist_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaylistTracksApi(APIView):
    parser_classes = [JSONParser]
    pagination_class = PageNumberPagination

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

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
        playlist = _owned_playlist(request, playlist_id)
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
        playlist = _owned_playlist(request, playlist_id)
        data = PlaylistTrackRemoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not services.playlist_track_remove(
            playlist=playlist, track_id=data.validated_data["track_id"]
        ):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaylistShareApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["playlists"],
        request=ShareInputSerializer,
        responses={201: ShareOutputSerializer},
        summary="Create a share token for this playlist (owner)",
    )
    def post(self, request, playlist_id):
        playlist = _owned_playlist(request, playlist_id)
        data = ShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share, raw = services.share_token_create(
            actor=request.user,
            playlist=playlist,
            expires_at=data.validated_data.get("expires_at"),
            meta=RequestMeta.from_request(request),
        )
        return _share_response(request, share, raw, f"/api/v1/playlists/{playlist.pk}")
