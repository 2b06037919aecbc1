"""Direct conversations and their messages; participants only (others get 404)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.messaging import selectors, services
from apps.messaging.serializers import (
    ConversationOutputSerializer,
    ConversationStartInputSerializer,
    MessageOutputSerializer,
    MessageSendInputSerializer,
)
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.schema import error_response

BLOCKED = error_response("BLOCKED: one of you blocked the other, or the account is gone.")


class ConversationListCreateApi(APIView):
    pagination_class = PageNumberPagination
    extra_error_codes = ("404",)

    @extend_schema(
        tags=["messages"],
        responses={200: ConversationOutputSerializer(many=True)},
        summary="My direct conversations, the most recently active first",
        description=("The caller's direct conversations, the most recently active first."),
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.conversation_list_for_user(user=request.user),
            serializer_class=ConversationOutputSerializer,
        )

    @extend_schema(
        tags=["messages"],
        request=ConversationStartInputSerializer,
        responses={
            200: OpenApiResponse(
                ConversationOutputSerializer, description="The conversation already existed."
            ),
            201: OpenApiResponse(ConversationOutputSerializer, description="Started."),
            400: error_response("VALIDATION_ERROR (e.g. a conversation with yourself)"),
            403: BLOCKED,
            404: error_response("NOT_FOUND: no such user"),
        },
        summary="Start (or find) the direct conversation with another user",
        description=(
            "Returns the existing conversation with `participant` (200) or starts one (201). "
            "Yourself: 400 VALIDATION_ERROR; an unknown user: 404; a block either way: 403 "
            "BLOCKED."
        ),
    )
    def post(self, request):
        data = ConversationStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation, created = services.conversation_start(
            user=request.user, participant_id=data.validated_data["participant"]
        )
        conversation = selectors.conversation_get_for_participant(
            conversation_id=conversation.pk, user=request.user
        )
        return Response(
            ConversationOutputSerializer(conversation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MessageListCreateApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["messages"],
        responses={
            200: MessageOutputSerializer(many=True),
            404: error_response("NOT_FOUND: no such conversation, or you are not in it"),
        },
        summary="Messages of a conversation, newest first (marks the others' messages read)",
        description=(
            "Participants only: anyone else gets 404, as for a conversation that does not "
            "exist. Reading marks the other person's messages read."
        ),
    )
    def get(self, request, conversation_id):
        conversation = selectors.conversation_get_for_participant(
            conversation_id=conversation_id, user=request.user
        )
        services.conversation_read(conversation=conversation, reader=request.user)
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.message_list(conversation=conversation),
            serializer_class=MessageOutputSerializer,
        )

    @extend_schema(
        tags=["messages"],
        request=MessageSendInputSerializer,
        responses={
            201: MessageOutputSerializer,
            403: BLOCKED,
            404: error_response("NOT_FOUND: no such conversation, or you are not in it"),
        },
        summary="Send a message",
        description=("Participants only (404 otherwise). A block either way: 403 BLOCKED."),
    )
    def post(self, request, conversation_id):
        conversation = selectors.conversation_get_for_participant(
            conversation_id=conversation_id, user=request.user
        )
        data = MessageSendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_send(
            conversation=conversation, sender=request.user, body=data.validated_data["body"]
        )
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)
