"""Starting direct conversations, sending and reading messages (shared/API.md, Messages)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.messaging.exceptions import Blocked, CannotMessageSelf
from apps.messaging.models import Conversation, Message, Participant
from apps.messaging.selectors import block_exists_between
from veza.api.exceptions import NotFound

#: What a message body becomes once its sender's account is erased for good.
ERASED_BODY = ""


@transaction.atomic
def conversation_start(*, user, participant_id, now: datetime | None = None):
    """The direct conversation between ``user`` and ``participant_id``, created if needed.

    Returns ``(conversation, created)``. The unique ``pair_key`` makes it one conversation per
    pair even when both start it at the same moment: the loser of the insert reads the
    winner's row. A block either way refuses a new conversation (403 BLOCKED).
    """
    now = now or timezone.now()
    if str(participant_id) == str(user.pk):
        raise CannotMessageSelf()
    other = get_user_model().objects.filter(pk=participant_id, is_active=True).first()
    if other is None:
        raise NotFound("No such user.")
    if block_exists_between(first=user, second=other):
        raise Blocked()
    conversation, created = Conversation.objects.get_or_create(
        pair_key=Conversation.pair_key_for(user.pk, other.pk),
        defaults={"created_at": now, "last_message_at": now},
    )
    if created:
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversation, user=user, joined_at=now),
                Participant(conversation=conversation, user=other, joined_at=now),
            ]
        )
    return conversation, created


@transaction.atomic
def message_send(*, conversation: Conversation, sender, body: str, now: datetime | None = None):
    """Append a message. Refused with 403 BLOCKED when either participant blocked the other,
    or when the other account is gone (deleted accounts receive nothing)."""
    now = now or timezone.now()
    others = [p.user for p in conversation.participants.all() if p.user_id != sender.pk]
    for other in others:
        if not other.is_active or block_exists_between(first=sender, second=other):
            raise Blocked()
    message = Message.objects.create(
        conversation=conversation, sender=sender, body=body, created_at=now
    )
    Conversation.objects.filter(pk=conversation.pk, last_message_at__lt=now).update(
        last_message_at=now
    )
    return message


def conversation_read(*, conversation: Conversation, reader, now: datetime | None = None) -> int:
    """Mark the other participants' unread messages as read by ``reader`` (a read receipt set
    the first time they are fetched); returns how many. One conditional update: a message
    read twice keeps its first read time."""
    return (
        Message.objects.filter(conversation=conversation, read_at__isnull=True)
        .exclude(sender=reader)
        .update(read_at=now or timezone.now())
    )


def message_bodies_erase(*, sender) -> int:
    """Empty the bodies of every message ``sender`` wrote (the final step of an account's
    erasure); idempotent."""
    return Message.objects.filter(sender=sender).exclude(body=ERASED_BODY).update(body=ERASED_BODY)
