"""Every write of the education domain. The API, the admin and the tasks call these."""

from apps.education.services.certificates import (
    certificate_issue,
    certificate_revoke,
    certificates_anonymise_for_user,
)
from apps.education.services.courses import (
    course_archive,
    course_create,
    course_delete,
    course_publish,
    course_slug_base,
    course_update,
)
from apps.education.services.enrollments import enrollment_create
from apps.education.services.jobs import lessons_requeue_stalled
from apps.education.services.lessons import (
    lesson_create,
    lesson_delete,
    lesson_process,
    lesson_update,
    lessons_reorder,
)
from apps.education.services.progress import (
    ProgressResult,
    lesson_media_served_record,
    lesson_progress_record,
    served_percent,
    served_ranges_merge,
)
from apps.education.services.reviews import (
    review_create,
    review_update,
    review_visibility_set,
    reviews_erase_for_user,
)

__all__ = [
    "ProgressResult",
    "certificate_issue",
    "certificate_revoke",
    "certificates_anonymise_for_user",
    "course_archive",
    "course_create",
    "course_delete",
    "course_publish",
    "course_slug_base",
    "course_update",
    "enrollment_create",
    "lesson_create",
    "lesson_delete",
    "lesson_media_served_record",
    "lesson_process",
    "lesson_progress_record",
    "lesson_update",
    "lessons_reorder",
    "lessons_requeue_stalled",
    "review_create",
    "review_update",
    "review_visibility_set",
    "reviews_erase_for_user",
    "served_percent",
    "served_ranges_merge",
]
