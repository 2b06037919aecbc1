"""Who may read analytics: signed-in content creators (401 first, then 403
CREATOR_ROLE_REQUIRED for listeners, the rule uploads follow)."""

from rest_framework.permissions import BasePermission, IsAuthenticated

from apps.accounts.permissions import IsContentCreator


def content_creator() -> list[BasePermission]:
    return [IsAuthenticated(), IsContentCreator()]
