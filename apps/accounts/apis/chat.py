"""``POST /api/v1/chat/token`` (shared/API.md, Messages)."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.serializers import ChatTokenOutputSerializer


class ChatTokenApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["messages"],
        request=None,
        responses={200: ChatTokenOutputSerializer},
        summary="A short-lived JWT for the real-time chat server",
        description=(
            "A JWT valid for a few minutes for the real-time chat server, signed with the "
            "chat server's own secret (never with the API's signing key). Ask for a new one "
            "when it expires."
        ),
    )
    def post(self, request):
        token, expires_at = services.chat_token_issue(user=request.user)
        return Response(ChatTokenOutputSerializer({"token": token, "expires_at": expires_at}).data)
