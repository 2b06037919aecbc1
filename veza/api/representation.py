"""Fast output helpers for hot read paths that build their answer as a plain dict.

They render exactly what DRF's fields render (the serializers that use them keep their DRF
fields for the schema, and tests compare both outputs), without DRF's per-value lookups of the
current time zone and settings.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.conf import settings
from django.utils import timezone


def output_timezone() -> tzinfo | None:
    """The zone DRF's ``DateTimeField`` renders in: the current one (read once per answer)."""
    return timezone.get_current_timezone() if settings.USE_TZ else None


def iso_datetime(value: datetime | None, tz: tzinfo | None) -> str | None:
    """``DateTimeField().to_representation(value)`` for an aware datetime: ISO 8601 in ``tz``,
    ``Z`` for UTC; ``None`` stays ``None``."""
    if not value:
        return None
    if tz is not None:
        value = value.astimezone(tz)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
