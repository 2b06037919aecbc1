"""Creator analytics: the deleted account's listener key leaves the rollups. Counts stay (the
creators' statistics), the link to the account does not."""

from apps.analytics.services import listener_forget
from apps.gdpr.erasure.base import ErasureContext, ErasureStep


def listener_rollups_unlink(ctx: ErasureContext) -> dict:
    return {"listener_rollup_rows_unlinked": listener_forget(user_id=ctx.user.pk)}


STEPS = [
    ErasureStep(
        "analytics",
        final=listener_rollups_unlink,
        erased_later=("Your listening is no longer linked to you in creators' statistics.",),
    ),
]
