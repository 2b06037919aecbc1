"""Blocks: the caller stops another user from messaging them (and vice versa)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.messaging import selectors, services
from apps.messaging.serializers import BlockInputSerializer, BlockOutputSerializer
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.schema import error_response


class BlockListCreateApi(APIView):
    pagination_class = PageNumberPagination
    extra_error_codes = ("404",)

    @extend_schema(
        tags=["messages"],
        responses={200: BlockOutputSerializer(many=True)},
        summary="Users I blocked, newest first",
        description=("The people the caller blocked, newest first."),
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.block_list_for_user(user=request.user),
            serializer_class=BlockOutputSerializer,
        )

    @extend_schema(
        tags=["messages"],
        request=BlockInputSerializer,
        responses={
            201: BlockOutputSerializer,
            400: error_response("VALIDATION_ERROR (e.g. blocking yourself)"),
            404: error_response("NOT_FOUND: no such user"),
        },
        summary="Block a user: no new messages either way (idempotent)",
        description=(
            "Blocks a user: neither of you can start a conversation or send a message to the "
            "other (403 BLOCKED). Blocking twice changes nothing; blocking yourself is 400 "
            "VALIDATION_ERROR; an unknown user 404."
        ),
    )
    def post(self, request):
        data = BlockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        block = services.block_create(blocker=request.user, blocked_id=data.validated_data["user"])
        return Response(BlockOutputSerializer(block).data, status=status.HTTP_201_CREATED)


class BlockDeleteApi(APIView):
    @extend_schema(
        tags=["messages"],
        responses={204: OpenApiResponse(description="Unblocked (or was not blocked).")},
        summary="Unblock a user (idempotent)",
        description=("Lifts a block you set; 204 even when there was none."),
    )
    def delete(self, request, user_id):
        services.block_delete(blocker=request.user, blocked_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
