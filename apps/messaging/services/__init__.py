"""Every write of messaging. The API, the admin and the personal-data app call these."""

from apps.messaging.services.blocks import block_create, block_delete, blocks_delete_for_user
from apps.messaging.services.conversations import (
    conversation_read,
    conversation_start,
    message_bodies_erase,
    message_send,
)

__all__ = [
    "block_create",
    "block_delete",
    "blocks_delete_for_user",
    "conversation_read",
    "conversation_start",
    "message_bodies_erase",
    "message_send",
]
