"""Enrolling in a course, and the learner's certificate (shared/API.md, Education)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.education import selectors, services
from apps.education.serializers import (
    CertificateOutputSerializer,
    EnrollmentOutputSerializer,
    LearnerEnrollmentSerializer,
)
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.schema import error_response
from veza.audit import RequestMeta

TAGS = ["education"]
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional: a retry with the same key never charges twice.",
)


class CourseEnrollApi(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={
            201: EnrollmentOutputSerializer,
            402: error_response("PAYMENT_FAILED: the charge was declined; you were not enrolled."),
            403: error_response("OWN_COURSE: a creator cannot buy their own course."),
            409: error_response("ALREADY_ENROLLED, COURSE_ARCHIVED or COURSE_NOT_PUBLISHED."),
        },
        summary="Enroll (a paid course is charged and invoiced); once per user and course",
        description=(
            "Free courses enroll at once; a paid course is charged and invoiced first (402 "
            "PAYMENT_FAILED when declined, no enrollment). A second enrollment: 409 "
            "ALREADY_ENROLLED; an archived or unpublished course: 409 COURSE_ARCHIVED / "
            "COURSE_NOT_PUBLISHED; your own course: 403 OWN_COURSE."
        ),
    )
    def post(self, request, slug):
        course = selectors.course_visible(slug=slug, user=request.user)
        enrollment = services.enrollment_create(
            user=request.user,
            course=course,
            idempotency_key=(request.headers.get("Idempotency-Key") or "")[:100],
            meta=RequestMeta.from_request(request),
        )
        return Response(EnrollmentOutputSerializer(enrollment).data, status=status.HTTP_201_CREATED)


class CourseCertificateApi(APIView):
    @extend_schema(
        tags=TAGS,
        responses={
            200: CertificateOutputSerializer,
            403: error_response("NOT_ENROLLED: enroll in the course first."),
            409: error_response("COURSE_NOT_COMPLETED: complete every lesson first."),
        },
        summary="My certificate for this course: issued on the first call after completion",
        description=(
            "Issued on the first call once every lesson is completed, then the same "
            "certificate each time. Not enrolled: 403 NOT_ENROLLED; lessons left: 409 "
            "COURSE_NOT_COMPLETED."
        ),
    )
    def get(self, request, slug):
        course = selectors.course_visible(slug=slug, user=request.user)
        enrollment = selectors.enrollment_required(user=request.user, course=course)
        certificate, _ = services.certificate_issue(
            enrollment=enrollment, meta=RequestMeta.from_request(request)
        )
        certificate.course = course
        return Response(CertificateOutputSerializer(certificate, context={"request": request}).data)


class EnrollmentListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=TAGS,
        responses={200: LearnerEnrollmentSerializer(many=True)},
        summary="My courses: progress, completion and lessons added since I completed",
        description=(
            "The caller's enrollments with progress, completion and the lessons added since "
            "they completed."
        ),
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.enrollment_list_for_learner(user=request.user),
            serializer_class=LearnerEnrollmentSerializer,
            context={"request": request},
        )
