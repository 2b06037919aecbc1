"""Track endpoints: list, upload, detail, edit, delete, search (shared/API.md, Catalog)."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsContentCreator
from apps.catalog import selectors, services
from apps.catalog.apis.common import (
    NO_CONTENT,
    SHARE_TOKEN_PARAM,
    ReadOpenApi,
    serializer_context,
    share_token_from_request,
)
from apps.catalog.apis.examples import UPLOAD_EXAMPLES
from apps.catalog.serializers import (
    SearchOutputSerializer,
    SearchQuerySerializer,
    TrackListItemSerializer,
    TrackListQuerySerializer,
    TrackOutputSerializer,
    TrackUpdateInputSerializer,
    TrackUploadInputSerializer,
)
from apps.catalog.uploads import upload_limit_enforce
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.api.schema import ErrorEnvelopeSerializer, error_response
from veza.api.views import OptionalAuthApiMixin
from veza.audit import RequestMeta

_FILTERS = frozenset(TrackListQuerySerializer._declared_fields) - {"ordering"}


class TrackListCreateApi(ReadOpenApi):
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = PageNumberPagination
    write_permission_classes = [IsAuthenticated, IsContentCreator]

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            upload_limit_enforce(request._request, max_bytes=settings.TRACK_UPLOAD_MAX_BYTES)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=["tracks"],
        parameters=[TrackListQuerySerializer],
        responses={200: TrackListItemSerializer(many=True)},
        summary="Public tracks (ready, public, not moderated), filtered and ordered",
        description=(
            "Public, ready, unmoderated tracks. `?ordering=` accepts only its whitelist "
            "(prefix `-` for descending); anything else falls back to -created_at, never an "
            "error. Invalid filter values: 400 VALIDATION_ERROR."
        ),
    )
    def get(self, request):
        params = request.query_params.copy()
        # ?ordering= never fails: anything off the whitelist falls back (shared/API.md).
        ordering = params.pop("ordering", [""])[-1]
        filters = {}
        if not _FILTERS.isdisjoint(params):  # the plain list (most calls) has nothing to check
            query = TrackListQuerySerializer(data=params)
            query.is_valid(raise_exception=True)
            filters = query.validated_data
        tracks = selectors.track_list_rows(**filters, ordering=ordering)
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
        examples=UPLOAD_EXAMPLES,
        description=(
            "Content-creator roles only (403 CREATOR_ROLE_REQUIRED: a `user` calls POST "
            "/api/v1/users/me/upgrade-creator first). The answer comes at once with `status: "
            "processing`; poll GET /api/v1/tracks/{id} until it is `ready` (or `failed`). "
            "Larger than TRACK_UPLOAD_MAX_BYTES: 413 PAYLOAD_TOO_LARGE, decided from "
            "Content-Length before the body is read; a chunked body (no Content-Length) is "
            "accepted up to that size. The file is judged by its bytes, never its name: 415 "
            "UNSUPPORTED_MEDIA_TYPE says in words what was wrong."
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


class TrackDetailApi(ReadOpenApi):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["tracks"],
        parameters=[SHARE_TOKEN_PARAM],
        responses={200: TrackOutputSerializer},
        summary="One track (private ones for the owner, staff or a share token)",
        description=(
            "Public and unlisted tracks for anyone; a private one for its owner, staff or a "
            "`?share_token=` (403 PERMISSION_DENIED otherwise). A track still processing, or "
            "hidden by a moderator, only for its owner and staff: poll this after an upload "
            "until `status` is ready (or failed). Taken down, not a UUID or no such track: "
            "404."
        ),
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
        description=("Owner or staff (403 PERMISSION_DENIED otherwise); the change is audited."),
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
        tags=["tracks"],
        request=None,
        responses={
            204: NO_CONTENT,
            409: error_response(
                "TRACK_DISTRIBUTED: the track is on a streaming platform or on its way there "
                "(a release pending, submitted, processing, live or with its takedown "
                "requested); `details.distributions` lists the distributions to take down."
            ),
        },
        summary="Delete a track",
        description=(
            "Owner or staff (403 PERMISSION_DENIED otherwise). The track goes with its "
            "derived files (HLS renditions); the deletion is audited. A track distributed to "
            "a platform is refused (409 TRACK_DISTRIBUTED): take the distribution down (POST "
            "/api/v1/distributions/{id}/takedown) and delete the track once it is taken down; "
            "draft, rejected, failed and taken-down releases do not hold it."
        ),
    )
    def delete(self, request, track_id):
        track = selectors.track_owned(track_id=track_id, user=request.user)
        services.track_delete(
            track=track, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchApi(OptionalAuthApiMixin, APIView):
    """Anonymous callers welcome; a bad token is still refused (401)."""

    @extend_schema(
        tags=["tracks"],
        parameters=[SearchQuerySerializer],
        responses={200: SearchOutputSerializer},
        summary="Search tracks (ranked full text), artists and playlists",
        description=(
            "`q` is required (1 to 200 characters). Anonymous callers welcome (a bad token is"
            " still refused with 401)."
        ),
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
