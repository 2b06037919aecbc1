"""Writes of platform settings."""

from __future__ import annotations

from django.db import transaction

from apps.platform_settings import state
from apps.platform_settings.models import PlatformSetting, ValueType
from veza.api.exceptions import NotFound, ValidationFailed
from veza.audit import RequestMeta, audit_record
from veza.response_cache import response_cache_invalidate


def _coerce(setting: PlatformSetting, value):
    if setting.value_type == ValueType.BOOL:
        if not isinstance(value, bool):
            raise ValidationFailed(details={"value": ["Must be true or false."]})
        return {"value_bool": value}
    if setting.value_type == ValueType.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed(details={"value": ["Must be a whole number."]})
        return {"value_int": value}
    if not isinstance(value, str):
        raise ValidationFailed(details={"value": ["Must be text."]})
    return {"value_text": value}


@transaction.atomic
def setting_set(
    *,
    key: str,
    value,
    actor,
    meta: RequestMeta | None = None,
    description: str | None = None,
) -> PlatformSetting:
    """Write one setting in the database first; every process follows after commit.

    Audited as ``platform.setting_change`` with the previous and new value (and the new
    description when staff edited it).
    """
    setting = PlatformSetting.objects.select_for_update().filter(key=key).first()
    if setting is None:
        raise NotFound(f"No platform setting {key!r}.")
    previous = setting.value
    changes = _coerce(setting, value)
    for field, new_value in changes.items():
        setattr(setting, field, new_value)
    if description is not None and description != setting.description:
        setting.description = description
        changes["description"] = description
    setting.updated_by = actor if getattr(actor, "pk", None) else None
    setting.save(update_fields=[*changes, "updated_by", "updated_at"])
    audit_record(
        action="platform.setting_change",
        actor=actor,
        target=setting,
        meta=meta,
        metadata={
            "key": key,
            "from": previous,
            "to": setting.value,
            **({"description": description} if "description" in changes else {}),
        },
    )
    transaction.on_commit(state.signal_change)
    response_cache_invalidate("platform")
    return setting


@transaction.atomic
def maintenance_set(
    *, enabled: bool, message: str | None, actor, meta: RequestMeta | None = None
) -> dict:
    """``PUT /api/v1/admin/maintenance``: persist first, then the local state (after commit)."""
    setting_set(key="maintenance_mode", value=enabled, actor=actor, meta=meta)
    if message is not None:
        setting_set(key="maintenance_message", value=message, actor=actor, meta=meta)
    audit_record(
        action="platform.maintenance_on" if enabled else "platform.maintenance_off",
        actor=actor,
        meta=meta,
        metadata={"message": message} if message is not None else {},
    )
    return {"enabled": enabled}
