"""Billing: the subscription ends with no further charge; invoices stay (see retention)."""

from apps.billing import selectors, services
from apps.gdpr.erasure.base import ErasureContext, ErasureStep


def subscription_cancel(ctx: ErasureContext) -> dict:
    """Cancel the live subscription: no renewal is charged any more (a subscription already
    past due ends at once and its open invoice is voided)."""
    subscription = selectors.subscription_live_for_user(user=ctx.user)
    if subscription is None:
        return {"subscription_canceled": 0}
    services.subscription_cancel(
        subscription=subscription, actor=ctx.actor, meta=ctx.meta, now=ctx.now
    )
    return {"subscription_canceled": 1}


STEPS = [
    ErasureStep(
        "billing",
        now=subscription_cancel,
        erased_now=("Your subscription is canceled; nothing more will be charged.",),
    ),
]
