"""Messaging API (shared/API.md, Messages). Thin: parse, call one service or selector."""

from apps.messaging.apis.blocks import BlockDeleteApi, BlockListCreateApi
from apps.messaging.apis.conversations import ConversationListCreateApi, MessageListCreateApi

__all__ = [
    "BlockDeleteApi",
    "BlockListCreateApi",
    "ConversationListCreateApi",
    "MessageListCreateApi",
]
