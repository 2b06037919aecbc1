"""What every education write shares: the courses namespace of the response cache."""

from __future__ import annotations

from veza.response_cache import response_cache_invalidate

#: Anonymous answers under /api/v1/courses (settings.RESPONSE_CACHE_RULES) live in this namespace.
COURSES_NAMESPACE = "courses"


def courses_changed() -> None:
    """After any write a public course page shows: cached anonymous answers go stale on commit."""
    response_cache_invalidate(COURSES_NAMESPACE)
