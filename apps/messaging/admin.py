"""Messages in the operations console: read-only (bodies are private correspondence; staff see
conversations and blocks for abuse reports, never edit them)."""

from django.contrib import admin

from apps.messaging.models import Block, Conversation, Message
from veza.admin_tools import ReadOnlyAdminMixin


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "last_message_at"]
    search_fields = ["=id", "participants__user__email"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "conversation", "sender", "created_at", "read_at"]
    list_select_related = ["sender"]
    search_fields = ["=conversation__id", "sender__email"]
    exclude = ["body"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    list_select_related = ["blocker", "blocked"]
    search_fields = ["blocker__email", "blocked__email"]
