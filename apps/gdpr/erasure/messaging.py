"""Messaging: blocks go now; the bodies of the messages the user sent are emptied at the
hard delete (the other participants keep the conversation, from "Deleted user", meanwhile)."""

from apps.gdpr.erasure.base import ErasureContext, ErasureStep
from apps.messaging import services


def blocks_delete(ctx: ErasureContext) -> dict:
    return {"blocks_deleted": services.blocks_delete_for_user(user=ctx.user)}


def bodies_erase(ctx: ErasureContext) -> dict:
    return {"message_bodies_erased": services.message_bodies_erase(sender=ctx.user)}


STEPS = [
    ErasureStep(
        "messaging",
        now=blocks_delete,
        final=bodies_erase,
        erased_now=("Your messages show 'Deleted user' as their sender; your blocks are lifted.",),
        erased_later=("The text of the messages you sent is erased.",),
    ),
]
