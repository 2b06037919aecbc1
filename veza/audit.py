"""The audit log's single writer: who did what to what, from where.

Every app records staff-relevant writes through :func:`audit_record`. The table itself is an
app's model, named by ``settings.AUDIT_LOG_MODEL`` (like ``AUTH_USER_MODEL``), so this ground
floor imports no app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestMeta:
    """Where a write came from; built once per request by :meth:`from_request`."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request) -> RequestMeta:
        if request is None:
            return cls()
        meta = request.META
        return cls(
            ip_address=meta.get("REMOTE_ADDR") or None,
            user_agent=(meta.get("HTTP_USER_AGENT") or "")[:512],
        )


def audit_log_model():
    """The model class named by ``settings.AUDIT_LOG_MODEL``."""
    return apps.get_model(settings.AUDIT_LOG_MODEL, require_ready=True)


def audit_record(
    *,
    action: str,
    actor=None,
    target=None,
    meta: RequestMeta | None = None,
    metadata: dict[str, Any] | None = None,
):
    """Write one audit entry and return it; never raises into its caller (``None`` then).

    The write runs in its own savepoint, so a failure here cannot poison the caller's
    transaction: the business write it describes stands.
    """
    meta = meta or RequestMeta()
    try:
        actor_id = getattr(actor, "pk", None)
        with transaction.atomic():
            return audit_log_model().objects.create(
                actor_id=actor_id,
                actor_label=(getattr(actor, "email", "") or "")[:254],
                action=action,
                target_type=target._meta.label_lower if target is not None else "",
                target_id=str(target.pk) if target is not None else "",
                ip_address=meta.ip_address,
                user_agent=meta.user_agent,
                metadata=metadata or {},
            )
    except Exception:
        logger.exception("Could not write audit entry %s", action)
        return None
