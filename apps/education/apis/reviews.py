"""Course reviews (shared/API.md, GET/POST /courses/{slug}/reviews)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.education import permissions, selectors, services
from apps.education.serializers import ReviewOutputSerializer
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.api.schema import error_response
from veza.audit import RequestMeta

TAGS = ["education"]


class ReviewListCreateApi(APIView):
    parser_classes = [JSONParser]
    pagination_class = PageNumberPagination

    class InputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        body = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)

        class Meta:
            ref_name = "ReviewCreateInput"

    def get_permissions(self):
        if self.request.method == "POST":
            return permissions.signed_in()
        return permissions.anyone()

    @extend_schema(
        tags=TAGS,
        responses={200: ReviewOutputSerializer(many=True)},
        summary="Reviews of a course, newest first (the course shows average and count)",
        description=("Newest first; the course itself carries the average rating and the count."),
    )
    def get(self, request, slug):
        course = selectors.course_visible(slug=slug, user=request.user)
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.review_list(course=course),
            serializer_class=ReviewOutputSerializer,
        )

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: ReviewOutputSerializer,
            403: error_response("NOT_ENROLLED, or OWN_COURSE for the course's creator."),
            409: error_response("ALREADY_REVIEWED: edit your review instead."),
        },
        summary="Review a course you are enrolled in: rating 1-5 and text, once",
        description=(
            "Enrolled learners only (403 NOT_ENROLLED; the creator gets 403 OWN_COURSE); one "
            "review each (409 ALREADY_REVIEWED, edit it instead). Rating 1 to 5."
        ),
    )
    def post(self, request, slug):
        course = selectors.course_visible(slug=slug, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_create(
            course=course,
            user=request.user,
            **data.validated_data,
            meta=RequestMeta.from_request(request),
        )
        review = selectors.review_with_author(review_id=review.pk)
        return Response(ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewDetailApi(APIView):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
        body = serializers.CharField(max_length=5000, required=False, allow_blank=True)

        class Meta:
            ref_name = "ReviewUpdateInput"

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={200: ReviewOutputSerializer},
        summary="Edit my review (the course's average follows)",
        description=(
            "Your own review only (403 PERMISSION_DENIED for someone else's, 404 for no such "
            "review); the course's average follows."
        ),
    )
    def patch(self, request, slug, review_id):
        course = selectors.course_visible(slug=slug, user=request.user)
        review = selectors.review_own(course=course, review_id=review_id, user=request.user)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        review = services.review_update(
            review=review,
            actor=request.user,
            data=data.validated_data,
            meta=RequestMeta.from_request(request),
        )
        review = selectors.review_with_author(review_id=review.pk)
        return Response(ReviewOutputSerializer(review).data)
