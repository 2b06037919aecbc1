"""Shapes of the messaging API (shared/API.md, Messages)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.messaging.selectors import user_display_name


class UserSummarySerializer(serializers.Serializer):
    """Another person as messages show them: an id and a display name, nothing more."""

    id = serializers.UUIDField(read_only=True)
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return user_display_name(user)


class ConversationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    participants = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    last_message_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(UserSummarySerializer(many=True))
    def get_participants(self, conversation):
        users = [participant.user for participant in conversation.participants.all()]
        return UserSummarySerializer(users, many=True).data


class ConversationStartInputSerializer(serializers.Serializer):
    participant = serializers.UUIDField(help_text="The id of the user to talk to.")


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    conversation = serializers.UUIDField(source="conversation_id", read_only=True)
    sender = UserSummarySerializer(read_only=True)
    body = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MessageSendInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000, trim_whitespace=True)


class BlockInputSerializer(serializers.Serializer):
    user = serializers.UUIDField(help_text="The id of the user to block.")


class BlockOutputSerializer(serializers.Serializer):
    user = UserSummarySerializer(source="blocked", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
