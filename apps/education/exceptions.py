"""Error codes of the education domain (shared/API.md, Education and Conventions).

Services raise ``EducationError(ErrorCode.X)``; the status and default message of each code are
kept here, once. Generic codes (NOT_FOUND, PERMISSION_DENIED, VALIDATION_ERROR) use the shared
classes of :mod:`veza.api.exceptions`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from veza.api.exceptions import ApplicationError


class ErrorCode(StrEnum):
    COURSE_HAS_NO_LESSONS = "COURSE_HAS_NO_LESSONS"
    COURSE_NOT_PUBLISHED = "COURSE_NOT_PUBLISHED"
    COURSE_ARCHIVED = "COURSE_ARCHIVED"
    COURSE_HAS_ENROLLMENTS = "COURSE_HAS_ENROLLMENTS"
    ALREADY_ENROLLED = "ALREADY_ENROLLED"
    NOT_ENROLLED = "NOT_ENROLLED"
    OWN_COURSE = "OWN_COURSE"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    COURSE_NOT_COMPLETED = "COURSE_NOT_COMPLETED"
    ALREADY_REVIEWED = "ALREADY_REVIEWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    FILE_MISSING = "FILE_MISSING"


_ERRORS: dict[ErrorCode, tuple[int, str]] = {
    ErrorCode.COURSE_HAS_NO_LESSONS: (409, "Publishing needs at least one ready lesson."),
    ErrorCode.COURSE_NOT_PUBLISHED: (409, "This course is not published."),
    ErrorCode.COURSE_ARCHIVED: (409, "This course is archived and takes no new enrollments."),
    ErrorCode.COURSE_HAS_ENROLLMENTS: (
        409,
        "Learners are enrolled in this course: archive it instead of deleting it.",
    ),
    ErrorCode.ALREADY_ENROLLED: (409, "You are already enrolled in this course."),
    ErrorCode.NOT_ENROLLED: (403, "Enroll in this course first."),
    ErrorCode.OWN_COURSE: (403, "You cannot enroll in or review your own course."),
    ErrorCode.PAYMENT_FAILED: (402, "The payment was declined. You were not enrolled."),
    ErrorCode.COURSE_NOT_COMPLETED: (409, "Complete every lesson of the course first."),
    ErrorCode.ALREADY_REVIEWED: (409, "You already reviewed this course: edit your review."),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: (415, "The file is not an audio or video file Veza accepts."),
    ErrorCode.FILE_MISSING: (404, "The lesson's media file is missing."),
}


class EducationError(ApplicationError):
    """An education business rule refused the request; ``code`` says which."""

    def __init__(
        self, code: ErrorCode, message: str | None = None, *, details: dict[str, Any] | None = None
    ) -> None:
        status_code, default_message = _ERRORS[code]
        super().__init__(
            message or default_message, code=code.value, status_code=status_code, details=details
        )
        self.error_code = code
