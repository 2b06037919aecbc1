"""Pieces every education view shares: the empty answer and the course context."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from apps.education import selectors

NO_CONTENT = OpenApiResponse(description="Done.")


def learner_state(*, enrollment) -> dict | None:
    """The caller's standing in the course, for the course detail (None when not enrolled)."""
    if enrollment is None:
        return None
    summary = selectors.learner_summary(enrollment=enrollment)
    return {
        "enrolled_at": enrollment.enrolled_at,
        "lessons_total": summary.lessons_total,
        "lessons_completed": summary.lessons_completed,
        "percent": summary.percent,
        "completed_at": summary.completed_at,
        "new_lessons_since_completion": summary.new_lessons_since_completion,
    }
