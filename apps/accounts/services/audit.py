"""The audit log's single writer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from apps.accounts.models import AuditLog

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


def audit_record(
    *,
    action: str,
    actor=None,
    target=None,
    meta: RequestMeta | None = None,
    metadata: dict[str, Any] | None = None,
) -> AuditLog | None:
    """Write one audit entry. Never raises into its caller.

    The write runs in its own savepoint, so a failure here cannot poison the caller's
    transaction: the business write it describes stands (changelog: "Non-fatal on failure").
    """
    meta = meta or RequestMeta()
    try:
        actor_id = getattr(actor, "pk", None)
        with transaction.atomic():
            return AuditLog.objects.create(
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
