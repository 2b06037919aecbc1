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


def row_from_instance(row_class, instance, **values):
    """``row_class`` (a namedtuple of ``values_list`` column names) filled from a model instance,
    so an instance and a list row render through one function: ``a__b`` follows the relation
    (a missing related object, such as an owner without a profile, gives ``None``), an attribute
    name such as ``owner_id`` or an annotation is read as is, ``values`` give the fields whose
    row form differs from the attribute (a file field's stored ``name``)."""
    fields = []
    for name in row_class._fields:
        if name in values:
            fields.append(values[name])
            continue
        value = instance
        for part in name.split("__"):
            value = getattr(value, part, None)
            if value is None:
                break
        fields.append(value)
    return row_class._make(fields)


class OutputTimezoneMixin:
    """A serializer that renders datetimes itself: the output zone, read once per serializer
    (one per answer; a list's items share its child)."""

    def _output_timezone(self):
        try:
            return self._tz
        except AttributeError:
            self._tz = output_timezone()
            return self._tz
