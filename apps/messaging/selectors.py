"""Every read of messaging, with its joins; participants only (others get 404)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from apps.messaging.models import Block, Conversation, Message, Participant
from veza.api.exceptions import NotFound

#: The other participants' name comes from their profile: one join, never a query per row.
_PARTICIPANTS = Prefetch(
    "participants",
    queryset=Participant.objects.select_related("user__profile").order_by("joined_at", "id"),
)


def conversation_list_for_user(*, user) -> QuerySet[Conversation]:
    """The caller's conversations, the most recently active first."""
    return (
        Conversation.objects.filter(participants__user=user)
        .prefetch_related(_PARTICIPANTS)
        .order_by("-last_message_at", "-id")
    )


def conversation_get_for_participant(*, conversation_id, user) -> Conversation:
    """The conversation, if ``user`` takes part in it; otherwise 404 (its existence is not
    revealed to outsiders)."""
    conversation = (
        Conversation.objects.filter(pk=conversation_id, participants__user=user)
        .prefetch_related(_PARTICIPANTS)
        .first()
    )
    if conversation is None:
        raise NotFound("No such conversation.")
    return conversation


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    """Messages of a conversation, newest first, with their sender's name."""
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("sender__profile")
        .order_by("-created_at", "-id")
    )


def block_exists_between(*, first, second) -> bool:
    """Whether either of the two blocked the other."""
    return Block.objects.filter(
        Q(blocker=first, blocked=second) | Q(blocker=second, blocked=first)
    ).exists()


def block_list_for_user(*, user) -> QuerySet[Block]:
    return (
        Block.objects.filter(blocker=user)
        .select_related("blocked__profile")
        .order_by("-created_at", "-id")
    )


def user_display_name(user) -> str:
    """What other people see of a user in messages: the display name, else the username.
    A deleted account's profile says "Deleted user"."""
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.username
