"""Education routes under /api/v1/ (shared/API.md, Education). Course URLs use the slug."""

from django.urls import path, register_converter

from apps.education.apis import certificates, courses, enrollments, lessons, reviews


class CourseSlugConverter:
    """Letters (any script), digits, "-" and "_": what a course slug can hold. Anything else
    (a NUL byte, a slash) is simply not a course URL (404), never a database error."""

    regex = r"[-\w]{1,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CertificateCodeConverter(CourseSlugConverter):
    regex = r"[-A-Za-z0-9_]{1,64}"


register_converter(CourseSlugConverter, "course_slug")
register_converter(CertificateCodeConverter, "certificate_code")

urlpatterns = [
    path("courses", courses.CourseListCreateApi.as_view(), name="course-list"),
    path("courses/<course_slug:slug>", courses.CourseDetailApi.as_view(), name="course-detail"),
    path(
        "courses/<course_slug:slug>/publish",
        courses.CoursePublishApi.as_view(),
        name="course-publish",
    ),
    path(
        "courses/<course_slug:slug>/archive",
        courses.CourseArchiveApi.as_view(),
        name="course-archive",
    ),
    path(
        "courses/<course_slug:slug>/lessons",
        lessons.LessonListCreateApi.as_view(),
        name="course-lessons",
    ),
    path(
        "courses/<course_slug:slug>/lessons/reorder",
        lessons.LessonReorderApi.as_view(),
        name="course-lessons-reorder",
    ),
    path(
        "courses/<course_slug:slug>/lessons/<uuid:lesson_id>",
        lessons.LessonDetailApi.as_view(),
        name="course-lesson-detail",
    ),
    path(
        "courses/<course_slug:slug>/enroll",
        enrollments.CourseEnrollApi.as_view(),
        name="course-enroll",
    ),
    path(
        "courses/<course_slug:slug>/certificate",
        enrollments.CourseCertificateApi.as_view(),
        name="course-certificate",
    ),
    path(
        "courses/<course_slug:slug>/reviews",
        reviews.ReviewListCreateApi.as_view(),
        name="course-reviews",
    ),
    path(
        "courses/<course_slug:slug>/reviews/<uuid:review_id>",
        reviews.ReviewDetailApi.as_view(),
        name="course-review-detail",
    ),
    path(
        "lessons/<uuid:lesson_id>/stream", lessons.LessonStreamApi.as_view(), name="lesson-stream"
    ),
    path(
        "lessons/<uuid:lesson_id>/progress",
        lessons.LessonProgressApi.as_view(),
        name="lesson-progress",
    ),
    path("enrollments", enrollments.EnrollmentListApi.as_view(), name="enrollment-list"),
    path(
        "certificates/<certificate_code:code>",
        certificates.CertificateVerifyApi.as_view(),
        name="certificate-verify",
    ),
]
