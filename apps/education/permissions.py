"""Who may call what in the education API.

Creating a course or a lesson needs a content-creator role (403 CREATOR_ROLE_REQUIRED, the
accounts rule shared with track uploads); owning the course (or being staff) is checked by the
selectors once the course is known (:func:`apps.education.selectors.course_managed`).
"""

from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated

from apps.accounts.permissions import IsContentCreator


def anyone() -> list[BasePermission]:
    return [AllowAny()]


def signed_in() -> list[BasePermission]:
    return [IsAuthenticated()]


def content_creator() -> list[BasePermission]:
    """401 for anonymous callers first, then 403 CREATOR_ROLE_REQUIRED for listeners."""
    return [IsAuthenticated(), IsContentCreator()]
