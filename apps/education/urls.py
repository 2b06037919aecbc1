"""Education routes under /api/v1/ (shared/API.md, Education). Course URLs use the slug."""

from django.urls import path

from apps.education.apis import certificates, courses, enrollments, lessons, reviews

urlpatterns = [
    path("courses", courses.CourseListCreateApi.as_view(), name="course-list"),
    path("courses/<str:slug>", courses.CourseDetailApi.as_view(), name="course-detail"),
    path("courses/<str:slug>/publish", courses.CoursePublishApi.as_view(), name="course-publish"),
    path("courses/<str:slug>/archive", courses.CourseArchiveApi.as_view(), name="course-archive"),
    path(
        "courses/<str:slug>/lessons",
        lessons.LessonListCreateApi.as_view(),
        name="course-lessons",
    ),
    path(
        "courses/<str:slug>/lessons/reorder",
        lessons.LessonReorderApi.as_view(),
        name="course-lessons-reorder",
    ),
    path(
        "courses/<str:slug>/lessons/<uuid:lesson_id>",
        lessons.LessonDetailApi.as_view(),
        name="course-lesson-detail",
    ),
    path("courses/<str:slug>/enroll", enrollments.CourseEnrollApi.as_view(), name="course-enroll"),
    path(
        "courses/<str:slug>/certificate",
        enrollments.CourseCertificateApi.as_view(),
        name="course-certificate",
    ),
    path(
        "courses/<str:slug>/reviews", reviews.ReviewListCreateApi.as_view(), name="course-reviews"
    ),
    path(
        "courses/<str:slug>/reviews/<uuid:review_id>",
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
    path(
        "certificates/<str:code>",
        certificates.CertificateVerifyApi.as_view(),
        name="certificate-verify",
    ),
]
