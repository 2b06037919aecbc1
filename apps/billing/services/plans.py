"""Staff edits of the price list (the admin's plan form)."""

from __future__ import annotations

from django.db import transaction

from apps.billing.models import Plan
from veza.audit import RequestMeta, audit_record
from veza.response_cache import response_cache_invalidate


@transaction.atomic
def plan_save(
    *,
    plan: Plan,
    changed_fields: list[str],
    created: bool,
    actor=None,
    meta: RequestMeta | None = None,
) -> Plan:
    """Save a validated plan, audit it, and make the cached public plan list stale.

    ``GET /billing/plans`` is served from the anonymous response cache (namespace ``billing``);
    the namespace is bumped after commit so the next read shows the new price. Renewals charge
    the price of the day; running periods and issued invoices keep theirs.
    """
    plan.save()
    audit_record(
        action="plan.create" if created else "plan.update",
        actor=actor,
        target=plan,
        meta=meta,
        metadata={
            "code": plan.code,
            "fields": sorted(changed_fields),
            "monthly_price": str(plan.monthly_price),
            "yearly_price": str(plan.yearly_price),
            "currency": plan.currency,
        },
    )
    response_cache_invalidate("billing")
    return plan
