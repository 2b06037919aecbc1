"""Lessons: list, upload, edit, delete, reorder; their media; progress (shared/API.md)."""

from __future__ import annotations

import logging

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.uploads import upload_limit_enforce
from apps.education import permissions, selectors, services
from apps.education.apis.common import NO_CONTENT
from apps.education.exceptions import EducationError, ErrorCode
from apps.education.serializers import LessonOutputSerializer, ProgressOutputSerializer
from apps.streaming import media
from apps.streaming import selectors as streaming_selectors
from veza.api.parsers import JSONParser
from veza.api.schema import ErrorEnvelopeSerializer, error_response
from veza.audit import RequestMeta

logger = logging.getLogger(__name__)

TAGS = ["education"]
NOT_ENROLLED = error_response("NOT_ENROLLED: enroll in the course first.")
MEDIA_TYPES = (
    "audio/mpeg",
    "audio/ogg",
    "audio/flac",
    "audio/wav",
    "audio/mp4",
    "video/mp4",
    "video/webm",
)


class LessonListCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(
            help_text="Audio (MP3, Ogg, FLAC, WAV, M4A…) or video (MP4, WebM)."
        )
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(
            max_length=10_000, required=False, default="", allow_blank=True
        )
        is_preview = serializers.BooleanField(required=False, default=False)

        class Meta:
            ref_name = "LessonCreateInput"

    def get_permissions(self):
        if self.request.method == "POST":
            return permissions.content_creator()
        return permissions.anyone()

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            upload_limit_enforce(
                request._request, max_bytes=settings.EDUCATION_LESSON_UPLOAD_MAX_BYTES
            )
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        responses={200: LessonOutputSerializer(many=True)},
        summary="The course's lessons in order (with my progress when I am enrolled)",
        description=(
            "The lessons in order with their processing status; enrolled callers also get "
            "their progress per lesson. Same visibility as the course."
        ),
    )
    def get(self, request, slug):
        course = selectors.course_visible(slug=slug, user=request.user)
        enrollment = selectors.enrollment_for(user=request.user, course=course)
        lessons = selectors.lesson_list(course=course, user=request.user, enrollment=enrollment)
        return Response(LessonOutputSerializer(lessons, many=True).data)

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": InputSerializer},
        responses={201: LessonOutputSerializer},
        summary="Add a lesson (creator or staff): the media is sniffed, stored and processed",
        description=(
            "Creator or staff. Multipart with the audio or video file: it is judged by its "
            "bytes (415 UNSUPPORTED_MEDIA_TYPE when it is neither), limited by "
            "EDUCATION_LESSON_UPLOAD_MAX_BYTES (413), then processed in the background "
            "(status pending, processing, ready or failed)."
        ),
    )
    def post(self, request, slug):
        course = selectors.course_managed(slug=slug, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = services.lesson_create(
            course=course,
            actor=request.user,
            **data.validated_data,
            max_bytes=settings.EDUCATION_LESSON_UPLOAD_MAX_BYTES,
            meta=RequestMeta.from_request(request),
        )
        lesson.refresh_from_db()
        return Response(LessonOutputSerializer(lesson).data, status=status.HTTP_201_CREATED)


class LessonDetailApi(APIView):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
        is_preview = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "LessonUpdateInput"

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={200: LessonOutputSerializer},
        summary="Edit a lesson's title, description or preview flag (creator or staff)",
        description=("Creator or staff; the media cannot be replaced (add a new lesson)."),
    )
    def patch(self, request, slug, lesson_id):
        course = selectors.course_managed(slug=slug, user=request.user)
        lesson = selectors.lesson_managed(course=course, lesson_id=lesson_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        lesson = services.lesson_update(
            lesson=lesson,
            actor=request.user,
            data=data.validated_data,
            meta=RequestMeta.from_request(request),
        )
        return Response(LessonOutputSerializer(lesson).data)

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={204: NO_CONTENT},
        summary="Delete a lesson; later lessons move up (creator or staff)",
        description=("Creator or staff; the following lessons move up one position."),
    )
    def delete(self, request, slug, lesson_id):
        course = selectors.course_managed(slug=slug, user=request.user)
        lesson = selectors.lesson_managed(course=course, lesson_id=lesson_id)
        services.lesson_delete(
            lesson=lesson, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonReorderApi(APIView):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        lessons = serializers.ListField(
            child=serializers.UUIDField(),
            min_length=1,
            max_length=1000,
            help_text="Every lesson id of the course exactly once, first to last.",
        )

        class Meta:
            ref_name = "LessonReorderInput"

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={200: LessonOutputSerializer(many=True)},
        summary="Rewrite the lesson order in one transaction (creator or staff)",
        description=(
            "Creator or staff. Send every lesson id of the course once, in the new order (400"
            " VALIDATION_ERROR otherwise); applied in one transaction."
        ),
    )
    def post(self, request, slug):
        course = selectors.course_managed(slug=slug, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lessons = services.lessons_reorder(
            course=course,
            actor=request.user,
            lesson_ids=data.validated_data["lessons"],
            meta=RequestMeta.from_request(request),
        )
        return Response(LessonOutputSerializer(lessons, many=True).data)


def _media_responses() -> dict:
    binary = OpenApiResponse(response=OpenApiTypes.BINARY, description="The lesson's media.")
    responses: dict = {}
    for code in (200, 206):
        for content_type in MEDIA_TYPES:
            responses[(code, content_type)] = binary
    responses[302] = OpenApiResponse(
        description="Redirect to a short-lived signed URL of the media (STREAM_DELIVERY signed "
        "or presigned; never for an enrolled learner, whose received bytes are counted)."
    )
    responses[304] = OpenApiResponse(description="Not modified (If-None-Match/If-Modified-Since)")
    responses[403] = error_response("NOT_ENROLLED (or PERMISSION_DENIED): not yours to play.")
    responses[416] = OpenApiResponse(
        response=ErrorEnvelopeSerializer,
        description="RANGE_NOT_SATISFIABLE, with Content-Range: bytes */size",
    )
    return responses


def _media_file(lesson) -> media.MediaFile:
    name = lesson.media_file.name
    media_file = streaming_selectors.media_file_get(
        storage_name=name,
        content_type=lesson.content_type or "application/octet-stream",
        etag=f'"{lesson.sha256}"' if lesson.sha256 else None,
    )
    if media_file is None:
        logger.error("FILE_MISSING: lesson %s has no file at %r", lesson.pk, name)
        raise EducationError(ErrorCode.FILE_MISSING)
    return media_file


def _served_recorder(*, enrollment_id, lesson_id):
    """What the stream response reports when its body closes: the bytes that really left."""

    def record(start: int, length: int) -> None:
        try:
            services.lesson_media_served_record(
                enrollment_id=enrollment_id, lesson_id=lesson_id, start=start, length=length
            )
        except Exception:
            # The bytes are already sent; a failed note only means less credited progress.
            logger.exception("Could not record served bytes of lesson %s", lesson_id)

    return record


class LessonStreamApi(APIView):
    """The lesson's media with the /tracks/{id}/stream rules (Range, conditional requests).

    What an enrolled learner receives is counted, byte range by byte range, and caps the
    progress they may report (apps.education.services.progress).
    """

    def get_permissions(self):
        return permissions.anyone()

    @extend_schema(
        tags=TAGS,
        responses=_media_responses(),
        summary="Play a lesson: enrolled learners, the creator and staff (anyone: preview)",
        description=(
            "The lesson's media with the same Range and conditional-request rules as "
            "/tracks/{id}/stream. Enrolled learners, the course's creator and staff; a "
            "preview lesson for anyone. Others: 403 NOT_ENROLLED; the file missing from "
            "storage: 404 FILE_MISSING. What a learner receives caps the progress they may "
            "report."
        ),
    )
    def get(self, request, lesson_id):
        access = selectors.lesson_access(lesson_id=lesson_id, user=request.user, for_media=True)
        media_file = _media_file(access.lesson)
        on_sent = None
        if access.enrollment is not None and request.method == "GET":
            on_sent = _served_recorder(
                enrollment_id=access.enrollment.pk, lesson_id=access.lesson.pk
            )
        response = media.serve_media(
            request, media_file, cache_control=media.CACHE_PRIVATE_MEDIA, on_sent=on_sent
        )
        response["Vary"] = "Authorization, Cookie"
        return response


class LessonProgressApi(APIView):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        percent = serializers.IntegerField(min_value=0, max_value=100)

        class Meta:
            ref_name = "LessonProgressInput"

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={200: ProgressOutputSerializer, 403: NOT_ENROLLED},
        summary="Report progress: monotonic, capped by what the server sent you; ≥ 90 % completes",
        description=(
            "Enrolled learners (403 NOT_ENROLLED). Progress only grows, and is capped by how "
            "much of the lesson's media the server actually sent to you; at 90 % the lesson "
            "counts as completed."
        ),
    )
    def post(self, request, lesson_id):
        access = selectors.lesson_access(lesson_id=lesson_id, user=request.user, for_media=False)
        if access.enrollment is None:
            raise EducationError(ErrorCode.NOT_ENROLLED)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.lesson_progress_record(
            enrollment=access.enrollment,
            lesson=access.lesson,
            percent=data.validated_data["percent"],
        )
        body = {
            "lesson": access.lesson.pk,
            "percent": result.progress.percent,
            "requested_percent": result.requested,
            "served_percent": result.served_percent,
            "completed": result.progress.completed_at is not None,
            "completed_at": result.progress.completed_at,
            "course_completed": result.enrollment.completed_at is not None,
            "course_completed_at": result.enrollment.completed_at,
        }
        return Response(ProgressOutputSerializer(body).data)
