"""The education app's seam to shared plumbing: the audit log and the response cache.

Every education module reaches them through this one place, so where they live (today
``apps.accounts.services`` and ``apps.platform_settings.services``) is written once.
"""

from __future__ import annotations

from apps.accounts.services import RequestMeta, audit_record
from apps.platform_settings.services import response_cache_invalidate

#: Anonymous answers under /api/v1/courses (settings.RESPONSE_CACHE_RULES) live in this namespace.
COURSES_NAMESPACE = "courses"


def courses_changed() -> None:
    """After any write a public course page shows: cached anonymous answers go stale on commit."""
    response_cache_invalidate(COURSES_NAMESPACE)


__all__ = ["COURSES_NAMESPACE", "RequestMeta", "audit_record", "courses_changed"]
