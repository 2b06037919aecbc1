"""Direct messages between two users, and blocks (shared/API.md, Messages).

A conversation has exactly two participants. ``pair_key`` (the two user ids in a fixed order)
is unique, so two people starting a conversation with each other at the same moment end up in
the same one. The real-time chat server joins in with the token of ``POST /chat/token``; this
app is the durable history.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pair_key = models.CharField(
        max_length=73, unique=True, editable=False, help_text="The two user ids, sorted."
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(
        default=timezone.now, help_text="When the newest message was sent (or the start)."
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["-last_message_at"], name="messaging_conv_last_idx")]

    def __str__(self) -> str:
        return f"conversation {self.id}"

    @staticmethod
    def pair_key_for(first_id, second_id) -> str:
        return ":".join(sorted((str(first_id), str(second_id))))


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="messaging_participant_unique"
            ),
        ]
        indexes = [models.Index(fields=["user", "conversation"], name="messaging_part_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_sent"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When the other participant first fetched it."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["conversation", "-created_at"], name="messaging_msg_conv_idx"),
            models.Index(fields=["sender", "-created_at"], name="messaging_msg_sender_idx"),
            models.Index(
                fields=["conversation", "sender"],
                name="messaging_msg_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.id}"


class Block(models.Model):
    """``blocker`` receives nothing more from ``blocked`` (and cannot write to them either)."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="messaging_block_unique"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="messaging_block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked"], name="messaging_block_blocked_idx")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"
