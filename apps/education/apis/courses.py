"""Courses: list, create, read, edit, delete, publish, archive (shared/API.md, Education)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.uploads import upload_limit_enforce
from apps.education import permissions, selectors, services
from apps.education.apis.common import NO_CONTENT, learner_state
from apps.education.models import MONEY, CourseLevel
from apps.education.serializers import CourseDetailOutputSerializer, CourseOutputSerializer
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.api.schema import error_response
from veza.audit import RequestMeta

PRICE_MAX = 99_999_999
TAGS = ["education"]


class _CourseFields(serializers.Serializer):
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    level = serializers.ChoiceField(choices=CourseLevel.choices, required=False)
    price = serializers.DecimalField(
        **MONEY, min_value=0, max_value=PRICE_MAX, required=False, help_text="0 means free."
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}\Z", required=False, help_text="ISO 4217 code, e.g. USD."
    )
    cover_image = serializers.ImageField(required=False, help_text="multipart/form-data only.")


def _limit_uploads(request) -> None:
    if request.method in ("POST", "PATCH") and request.content_type.startswith("multipart/"):
        upload_limit_enforce(request._request, max_bytes=settings.EDUCATION_COVER_MAX_BYTES)


def _detail(request, course, status_code=status.HTTP_200_OK) -> Response:
    enrollment = selectors.enrollment_for(user=request.user, course=course)
    context = {"request": request, "learner_state": learner_state(enrollment=enrollment)}
    return Response(CourseDetailOutputSerializer(course, context=context).data, status=status_code)


def _reloaded(slug: str, user):
    return selectors.course_visible(slug=slug, user=user)


class CourseListCreateApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = PageNumberPagination

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(
            max_length=200, required=False, allow_blank=True, help_text="In title or description."
        )
        level = serializers.ChoiceField(choices=CourseLevel.choices, required=False)
        price = serializers.ChoiceField(choices=["free", "paid"], required=False)
        creator = serializers.UUIDField(required=False, help_text="The creator's user id.")
        ordering = serializers.CharField(
            required=False,
            help_text="One of created_at, published_at, title, price, rating_average, "
            "rating_count; prefix - for descending. Anything else: -created_at.",
        )

        class Meta:
            ref_name = "CourseListFilter"

    class InputSerializer(_CourseFields):
        title = serializers.CharField(max_length=200)

        class Meta:
            ref_name = "CourseCreateInput"

    def get_permissions(self):
        if self.request.method == "POST":
            return permissions.content_creator()
        return permissions.anyone()

    def initial(self, request, *args, **kwargs):
        _limit_uploads(request)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: CourseOutputSerializer(many=True)},
        summary="Published courses: search, filters, whitelisted ordering",
        description=(
            "Published courses. `?ordering=` accepts only its whitelist; anything else falls "
            "back to -created_at, never an error."
        ),
    )
    def get(self, request):
        params = request.query_params.copy()
        # ?ordering= never fails: anything off the whitelist falls back (shared/API.md).
        ordering = params.pop("ordering", [""])[-1]
        filters = {}
        if not _FILTERS.isdisjoint(params):  # the plain list (most calls) has nothing to check
            query = self.FilterSerializer(data=params)
            query.is_valid(raise_exception=True)
            filters = query.validated_data
        courses = selectors.course_public_list_rows(**filters, ordering=ordering)
        return paginated_response(
            view=self,
            request=request,
            queryset=courses,
            serializer_class=CourseOutputSerializer,
            context={"request": request},
        )

    @extend_schema(
        tags=TAGS,
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={201: CourseDetailOutputSerializer},
        summary="Create a draft course (content-creator roles); the slug comes from the title",
        description=(
            "Content-creator roles only (403 CREATOR_ROLE_REQUIRED). The course starts as a "
            "draft; its slug is made from the title and kept unique."
        ),
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_create(
            owner=request.user, **data.validated_data, meta=RequestMeta.from_request(request)
        )
        return _detail(request, _reloaded(course.slug, request.user), status.HTTP_201_CREATED)


#: The list's filters: without any of them, nothing needs validating.
_FILTERS = frozenset(CourseListCreateApi.FilterSerializer._declared_fields) - {"ordering"}


class CourseDetailApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(_CourseFields):
        title = serializers.CharField(max_length=200, required=False)

        class Meta:
            ref_name = "CourseUpdateInput"

    def get_permissions(self):
        if self.request.method == "GET":
            return permissions.anyone()
        return permissions.signed_in()

    def initial(self, request, *args, **kwargs):
        _limit_uploads(request)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        responses={200: CourseDetailOutputSerializer},
        summary="A course (drafts only for their creator and staff), with my progress",
        description=(
            "A published course for anyone; a draft only for its creator and staff (404 for "
            "others). Enrolled callers see their progress."
        ),
    )
    def get(self, request, slug):
        return _detail(request, selectors.course_visible(slug=slug, user=request.user))

    @extend_schema(
        tags=TAGS,
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={200: CourseDetailOutputSerializer},
        summary="Edit a course (creator or staff); a published course keeps its slug",
        description=(
            "Creator or staff (403 otherwise). Renaming a draft changes its slug; a published"
            " course keeps it, so links stay valid."
        ),
    )
    def patch(self, request, slug):
        course = selectors.course_managed(slug=slug, user=request.user)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        course = services.course_update(
            course=course,
            actor=request.user,
            data=data.validated_data,
            meta=RequestMeta.from_request(request),
        )
        return _detail(request, _reloaded(course.slug, request.user))

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={
            204: NO_CONTENT,
            409: error_response("COURSE_HAS_ENROLLMENTS: learners are enrolled; archive instead."),
        },
        summary="Delete a course nobody is enrolled in (creator or staff)",
        description=(
            "Creator or staff. A course with enrolled learners cannot be deleted: 409 "
            "COURSE_HAS_ENROLLMENTS (archive it instead)."
        ),
    )
    def delete(self, request, slug):
        course = selectors.course_managed(slug=slug, user=request.user)
        services.course_delete(
            course=course, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoursePublishApi(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={
            200: CourseDetailOutputSerializer,
            409: error_response("COURSE_HAS_NO_LESSONS (no ready lesson) or COURSE_ARCHIVED."),
        },
        summary="Publish a draft (needs a ready lesson); publishing twice changes nothing",
        description=(
            "Creator or staff. Needs at least one ready lesson (409 COURSE_HAS_NO_LESSONS); "
            "an archived course cannot be published again (409 COURSE_ARCHIVED). Publishing a"
            " published course changes nothing."
        ),
    )
    def post(self, request, slug):
        course = selectors.course_managed(slug=slug, user=request.user)
        services.course_publish(
            course=course, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return _detail(request, _reloaded(slug, request.user))


class CourseArchiveApi(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={
            200: CourseDetailOutputSerializer,
            409: error_response("COURSE_NOT_PUBLISHED: only a published course can be archived."),
        },
        summary="Archive a published course: no new enrollments, learners keep access",
        description=(
            "Creator or staff. No new enrollments; enrolled learners keep access. Only a "
            "published course: 409 COURSE_NOT_PUBLISHED."
        ),
    )
    def post(self, request, slug):
        course = selectors.course_managed(slug=slug, user=request.user)
        services.course_archive(
            course=course, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return _detail(request, _reloaded(slug, request.user))
