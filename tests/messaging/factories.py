import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.messaging.models import Block, Conversation, Message, Participant


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    body = factory.Sequence(lambda n: f"message {n}")
    created_at = factory.LazyFunction(timezone.now)


class BlockFactory(DjangoModelFactory):
    class Meta:
        model = Block


def conversation_between(first, second) -> Conversation:
    """A direct conversation with both participants, as ``conversation_start`` makes it."""
    conversation = Conversation.objects.create(
        pair_key=Conversation.pair_key_for(first.pk, second.pk)
    )
    Participant.objects.create(conversation=conversation, user=first)
    Participant.objects.create(conversation=conversation, user=second)
    return conversation
