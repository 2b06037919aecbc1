"""Messaging: both sides of the user's conversations, and the people they blocked."""

from __future__ import annotations

from apps.gdpr.exporters.base import CHUNK_SIZE, Exporter, person
from apps.messaging.models import Block, Message


def message_rows(user, cut_off):
    messages = (
        Message.objects.filter(conversation__participants__user=user, created_at__lte=cut_off)
        .select_related("sender__profile")
        .order_by("conversation_id", "created_at", "id")
    )
    for message in messages.iterator(chunk_size=CHUNK_SIZE):
        own = message.sender_id == user.pk
        yield {
            "id": str(message.pk),
            "conversation_id": str(message.conversation_id),
            "from_you": own,
            "sender": {"id": str(user.pk)} if own else person(message.sender),
            "body": message.body,
            "sent_at": message.created_at,
            "read_at": message.read_at,
        }


def block_rows(user, cut_off):
    blocks = Block.objects.filter(blocker=user, created_at__lte=cut_off).select_related(
        "blocked__profile"
    )
    for block in blocks.order_by("created_at", "id").iterator(chunk_size=CHUNK_SIZE):
        yield {"user": person(block.blocked), "since": block.created_at}


EXPORTERS = [
    Exporter(
        "messages.jsonl",
        "Messages of your conversations, sent and received, grouped by conversation (the "
        "other participants shown by name and id only).",
        message_rows,
    ),
    Exporter("blocks.jsonl", "People you blocked from messaging you.", block_rows),
]
