"""``/api/v1/developer/api-keys`` (shared/API.md, Accounts and "API keys")."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.serializers import (
    ApiKeyCreatedOutputSerializer,
    ApiKeyCreateInputSerializer,
    ApiKeyOutputSerializer,
)
from veza.api.permissions import LoginSessionRequired
from veza.api.schema import error_response
from veza.audit import RequestMeta


class ApiKeyListCreateApi(generics.ListAPIView):
    """Managed by the person (bearer token or session): an API key can neither list, mint nor
    revoke keys (403 ``API_KEY_NOT_ALLOWED``), so a leaked key cannot multiply itself."""

    permission_classes = [IsAuthenticated, LoginSessionRequired]
    serializer_class = ApiKeyOutputSerializer

    def get_queryset(self):
        return selectors.api_keys_of_user(user=self.request.user)

    @extend_schema(
        tags=["developer"],
        summary="My API keys (never the secret)",
        description=(
            "Prefix, name, scopes, creation and last use of each key; never the secret. "
            "Managed with a bearer token or a session: an API key cannot list, create or "
            "revoke keys (403 API_KEY_NOT_ALLOWED), so a leaked key cannot multiply itself."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["developer"],
        request=ApiKeyCreateInputSerializer,
        responses={
            201: ApiKeyCreatedOutputSerializer,
            403: error_response(
                "EMAIL_NOT_VERIFIED (verify the address first) or API_KEY_NOT_ALLOWED (an API "
                "key cannot create keys)"
            ),
            409: error_response(
                "API_KEY_LIMIT_REACHED: the account already has API_KEYS_MAX_PER_USER (default "
                "10) live keys; `details.limit` says how many. Revoke one first."
            ),
        },
        summary="Create an API key; the full key is in this response only",
        description=(
            "Scopes: read (GET/HEAD/OPTIONS), write (also POST/PUT/PATCH/DELETE), admin "
            "(everything; the staff API still needs a staff owner). The full key is in this "
            "201 response only: store it then. Verified addresses only (403 "
            "EMAIL_NOT_VERIFIED); at most API_KEYS_MAX_PER_USER live keys (409 "
            "API_KEY_LIMIT_REACHED); not with an API key (403 API_KEY_NOT_ALLOWED)."
        ),
    )
    def post(self, request):
        data = ApiKeyCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key, full_key = services.api_key_create(
            user=request.user,
            name=data.validated_data["name"],
            scopes=data.validated_data["scopes"],
            expires_at=data.validated_data.get("expires_at"),
            meta=RequestMeta.from_request(request),
        )
        api_key.key = full_key  # only on this instance, only in this response
        return Response(ApiKeyCreatedOutputSerializer(api_key).data, status=status.HTTP_201_CREATED)


class ApiKeyDetailApi(APIView):
    permission_classes = [IsAuthenticated, LoginSessionRequired]

    @extend_schema(
        tags=["developer"],
        responses={
            204: OpenApiResponse(description="Revoked; the key stops working at once."),
            403: error_response("API_KEY_NOT_ALLOWED: an API key cannot revoke keys"),
        },
        summary="Revoke an API key",
        description=(
            "The key stops working at once. Someone else's key or an unknown id: 404; not "
            "with an API key (403 API_KEY_NOT_ALLOWED)."
        ),
    )
    def delete(self, request, key_id):
        services.api_key_revoke_own(
            user=request.user, key_id=key_id, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
