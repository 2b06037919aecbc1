from django.urls import path

from apps.messaging import apis

urlpatterns = [
    path("conversations", apis.ConversationListCreateApi.as_view(), name="conversations"),
    path(
        "conversations/<uuid:conversation_id>/messages",
        apis.MessageListCreateApi.as_view(),
        name="conversation-messages",
    ),
    path("blocks", apis.BlockListCreateApi.as_view(), name="blocks"),
    path("blocks/<uuid:user_id>", apis.BlockDeleteApi.as_view(), name="block-delete"),
]
