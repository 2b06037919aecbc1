"""Webhooks: endpoints, their delivery logs and recorded events go now, so nothing more is
sent about the account to anyone."""

from apps.gdpr.erasure.base import ErasureContext, ErasureStep
from apps.webhooks.services import webhook_data_erase


def webhooks_delete(ctx: ErasureContext) -> dict:
    return webhook_data_erase(owner=ctx.user)


STEPS = [
    ErasureStep(
        "webhooks",
        now=webhooks_delete,
        erased_now=(
            "Your webhook endpoints, their delivery logs and the events recorded for them are "
            "deleted: nothing more is sent to them.",
        ),
    ),
]
