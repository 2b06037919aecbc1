"""Blocks: who may not message whom."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from apps.messaging.exceptions import CannotMessageSelf
from apps.messaging.models import Block
from veza.api.exceptions import NotFound


def block_create(*, blocker, blocked_id) -> Block:
    """Block a user (idempotent: blocking twice keeps the first block)."""
    if str(blocked_id) == str(blocker.pk):
        raise CannotMessageSelf()
    blocked = get_user_model().objects.filter(pk=blocked_id).first()
    if blocked is None:
        raise NotFound("No such user.")
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


def block_delete(*, blocker, blocked_id) -> bool:
    """Lift a block (idempotent); returns whether there was one."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()
    return bool(deleted)


def blocks_delete_for_user(*, user) -> int:
    """Every block made by or against ``user`` (their account is being deleted)."""
    deleted, _ = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
    return deleted
