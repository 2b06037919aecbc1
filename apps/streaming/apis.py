"""Media endpoints: /stream, /download, HLS, plays, and the trending list that play counts
rank (shared/API.md, "GET /api/v1/tracks/{id}/stream").

Django does every permission check and header; the bytes leave by the delivery mode
(``STREAM_DELIVERY``: sendfile, X-Accel-Redirect, a signed or presigned redirect, or a proxy of
the bucket), see ``apps.streaming.media``.
"""

import os
import re
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.apis import (
    SHARE_TOKEN_PARAM,
    serializer_context,
    share_token_from_request,
)
from apps.catalog.models import HlsStatus
from apps.catalog.selectors import track_access
from apps.catalog.serializers import TrackListItemSerializer
from apps.platform_settings.selectors import flag_enabled
from apps.streaming import media, selectors, services
from apps.streaming.serializers import PlayInputSerializer, PlayOutputSerializer
from veza.api import ratelimit
from veza.api.exceptions import NotFound
from veza.api.pagination import CursorPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.api.renderers import JSONRenderer
from veza.api.schema import ErrorEnvelopeSerializer
from veza.api.views import OptionalAuthApiMixin

_AUDIO_TYPES = ("audio/mpeg", "audio/ogg", "audio/flac", "audio/wav", "audio/mp4", "audio/*")


# Byte ranges and conditional requests, with examples (shared/API.md, /stream).
MEDIA_REQUEST_HEADERS = [
    OpenApiParameter(
        "Range",
        str,
        OpenApiParameter.HEADER,
        description=(
            "One byte range: `bytes=<first>-<last>`, `bytes=<first>-` (to the end) or "
            "`bytes=-<length>` (the last bytes). Answered with 206 and `Content-Range`; "
            "outside the file: 416 with `Content-Range: bytes */<size>`."
        ),
        examples=[
            OpenApiExample("The first KiB", value="bytes=0-1023"),
            OpenApiExample("From byte 1024 to the end", value="bytes=1024-"),
            OpenApiExample("The last 50 bytes", value="bytes=-50"),
        ],
    ),
    OpenApiParameter(
        "If-Range",
        str,
        OpenApiParameter.HEADER,
        description=(
            "The `ETag` (or `Last-Modified`) of an earlier answer: the Range applies only if "
            "the file is unchanged, otherwise the whole file comes back with 200."
        ),
    ),
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="The `ETag` of an earlier answer: 304 Not Modified while it matches.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        str,
        OpenApiParameter.HEADER,
        description="An HTTP date: 304 Not Modified when the file has not changed since.",
    ),
]


def _media_responses(description: str) -> dict:
    binary = OpenApiResponse(response=OpenApiTypes.BINARY, description=description)
    partial = OpenApiResponse(
        response=OpenApiTypes.BINARY,
        description=(
            "Partial Content: the requested range, with e.g. `Content-Range: bytes "
            "0-1023/264644`, `Content-Length: 1024`, `Accept-Ranges: bytes` and the `ETag`."
        ),
    )
    responses = {}
    for code, answer in ((200, binary), (206, partial)):
        for content_type in _AUDIO_TYPES:
            responses[(code, content_type)] = answer
    responses[302] = OpenApiResponse(
        description="Redirect to a short-lived signed URL of the bytes (STREAM_DELIVERY signed "
        "or presigned); the client sends its Range requests there."
    )
    responses[304] = OpenApiResponse(description="Not modified (If-None-Match/If-Modified-Since)")
    responses[416] = OpenApiResponse(
        response=ErrorEnvelopeSerializer,
        description="RANGE_NOT_SATISFIABLE, with Content-Range: bytes */size",
    )
    return responses


class MediaApi(OptionalAuthApiMixin, APIView):
    """Optional authentication: anonymous callers may play public tracks."""

    def perform_content_negotiation(self, request, force=False):
        """The answer is the media's bytes; only an error is rendered, and always as JSON: no
        ``Accept`` header to parse on every range a player fetches."""
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def _serve(self, request, track_id, *, attachment: bool):
        access = track_access(
            track_id=track_id,
            user=request.user,
            share_token=share_token_from_request(request),
            for_media=True,
        )
        media_file = selectors.track_media_file(track=access.track)
        cache = media.CACHE_PUBLIC_MEDIA if access.is_public else media.CACHE_PRIVATE_MEDIA
        disposition = None
        if attachment:
            extension = os.path.splitext(media_file.storage_name)[1]
            filename = (slugify(access.track.title) or "track") + extension
            disposition = media.attachment_disposition(filename)
        response = media.serve_media(
            request, media_file, cache_control=cache, disposition=disposition
        )
        if not access.is_public:
            response["Vary"] = "Authorization, Cookie"
        return response


class StreamApi(MediaApi):
    @extend_schema(
        tags=["streaming"],
        parameters=[SHARE_TOKEN_PARAM, *MEDIA_REQUEST_HEADERS],
        responses=_media_responses("The audio bytes (Range supported)."),
        summary="Play a track: Range, conditional requests, strong ETag",
        description=(
            "Anonymous callers may play public tracks; `?share_token=` unlocks one private "
            "track. Works like a static file server: `Range: bytes=0-1023` gets 206 with "
            "Content-Range, open and suffix ranges work, an unsatisfiable range is 416 with "
            "`Content-Range: bytes */<size>`, If-Range is honoured, If-None-Match / "
            "If-Modified-Since give 304. Every answer has `Accept-Ranges: bytes`, a strong "
            "`ETag` and `Last-Modified`; public tracks are `Cache-Control: public, "
            "max-age=604800`, anything unlocked by identity or token `private`. Private "
            "without access: 403 PERMISSION_DENIED; no such track (or not a UUID): 404 "
            "NOT_FOUND; the file missing from storage: 404 FILE_MISSING."
        ),
    )
    def get(self, request, track_id):
        return self._serve(request, track_id, attachment=False)


class DownloadApi(MediaApi):
    @extend_schema(
        tags=["streaming"],
        parameters=[SHARE_TOKEN_PARAM, *MEDIA_REQUEST_HEADERS],
        responses=_media_responses("The audio bytes as an attachment."),
        summary="Download a track (Content-Disposition: attachment)",
        description=(
            "The same bytes and rules as /stream, as an attachment (`Content-Disposition: "
            "attachment`)."
        ),
    )
    def get(self, request, track_id):
        return self._serve(request, track_id, attachment=True)


_HLS_NAME = re.compile(r"^(?:master\.m3u8|\d{2,4}k/(?:index\.m3u8|seg_\d{5}\.ts))$")
HLS_PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
HLS_SEGMENT_TYPE = "video/mp2t"
CACHE_HLS_PLAYLIST = "public, max-age=60"


class HlsApi(OptionalAuthApiMixin, APIView):
    """HLS renditions; every URL is 404 while the ``hls_streaming`` flag is off."""

    @extend_schema(
        tags=["streaming"],
        parameters=[SHARE_TOKEN_PARAM],
        responses={
            (200, HLS_PLAYLIST_TYPE): OpenApiResponse(
                response=OpenApiTypes.STR, description="A playlist"
            ),
            (200, HLS_SEGMENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="A segment"
            ),
            302: OpenApiResponse(
                description="A segment: redirect to its short-lived signed URL "
                "(STREAM_DELIVERY signed or presigned)."
            ),
        },
        summary="HLS master playlist, variant playlists and segments (hls_streaming flag)",
        description=(
            "Only while the `hls_streaming` flag is on (GET /features); otherwise every URL "
            "is 404. Same access rules as /stream."
        ),
    )
    def get(self, request, track_id, name="master.m3u8"):
        if not flag_enabled("hls_streaming") or not _HLS_NAME.match(name):
            raise NotFound()
        share_token = share_token_from_request(request)
        access = track_access(
            track_id=track_id, user=request.user, share_token=share_token, for_media=True
        )
        if access.track.hls_status != HlsStatus.READY:
            raise NotFound()
        stored = f"{selectors.hls_directory(access.track.pk)}/{name}"
        if not name.endswith(".m3u8"):
            segment = selectors.media_file_get(storage_name=stored, content_type=HLS_SEGMENT_TYPE)
            if segment is None:
                raise NotFound()
            cache = media.CACHE_PUBLIC_MEDIA if access.is_public else media.CACHE_PRIVATE_MEDIA
            return media.serve_media(request, segment, cache_control=cache)
        try:
            with default_storage.open(stored, "rb") as handle:
                body = handle.read()
        except OSError:
            raise NotFound() from None
        if share_token:
            body = _playlist_with_token(body, share_token)
        response = HttpResponse(body, content_type=HLS_PLAYLIST_TYPE)
        response["Cache-Control"] = (
            CACHE_HLS_PLAYLIST if access.is_public else "private, max-age=60"
        )
        return response


def _playlist_with_token(body: bytes, token: str) -> bytes:
    """Relative URIs in a playlist carry the share token, so private HLS plays by link too."""
    lines = []
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            line = f"{line}?share_token={quote(token)}"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


class PlaysApi(OptionalAuthApiMixin, APIView):
    parser_classes = [JSONParser]
    extra_error_codes = ("429",)

    @extend_schema(
        tags=["streaming"],
        parameters=[SHARE_TOKEN_PARAM],
        request=PlayInputSerializer,
        responses={201: PlayOutputSerializer},
        summary="Record a playback event (anonymous allowed); counts it when it is a play",
        description=(
            "Every accepted event is recorded (201). It moves `play_count` and trending only "
            "when it counts (`counted`): not the creator's own plays, and once per listener "
            "and track per window (the track's length, at least 30 s). `seconds_played` is "
            "capped by the track's length. Anonymous callers are rate limited per IP "
            "(429 RATE_LIMITED with Retry-After)."
        ),
    )
    def post(self, request, track_id):
        if not request.user.is_authenticated:
            ratelimit.ip_limit_enforce(request, group="plays_anonymous_ip")
        access = track_access(
            track_id=track_id, user=request.user, share_token=share_token_from_request(request)
        )
        data = PlayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event, play_count = services.play_record(
            track=access.track,
            listener=services.Listener.from_request(
                user=request.user, ip=ratelimit.client_ip(request)
            ),
            country=_trusted_country(request),
            **data.validated_data,
        )
        body = {
            "id": event.pk,
            "track": access.track.pk,
            "play_count": play_count,
            "counted": event.counted,
            "seconds_played": event.seconds_played,
        }
        return Response(PlayOutputSerializer(body).data, status=status.HTTP_201_CREATED)


def _trusted_country(request) -> str:
    header = settings.PLAYS_COUNTRY_HEADER
    if not header:
        return ""
    value = (request.headers.get(header) or "").strip().upper()
    return value if re.fullmatch(r"[A-Z]{2}", value) and value not in ("XX", "T1") else ""


class TrendingCursorPagination(CursorPagination):
    ordering = ("-recent_plays", "-play_count", "-created_at")


class DiscoverApi(OptionalAuthApiMixin, APIView):
    """Anonymous callers welcome; a bad token is still refused (401)."""

    pagination_class = TrendingCursorPagination

    @extend_schema(
        tags=["tracks"],
        responses={200: TrackListItemSerializer(many=True)},
        summary="Trending tracks by plays in the last 7 days (cursor-paginated)",
        description=(
            "Anonymous callers welcome (a bad token is still refused with 401). Cursor "
            "pagination: follow `next`; there is no `count`."
        ),
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.discover_tracks(),
            serializer_class=TrackListItemSerializer,
            context=serializer_context(request),
        )
