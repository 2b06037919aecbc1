"""What every catalog view shares: the share-token parameter, the serializer context and
the base view of endpoints anyone may read but only a signed-in caller may write.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apps.platform_settings.selectors import flag_enabled
from veza.api.views import OptionalAuthApiMixin

SHARE_TOKEN_PARAM = OpenApiParameter(
    "share_token", str, description="A share token that unlocks this private item."
)
NO_CONTENT = OpenApiResponse(description="Done.")


def serializer_context(request) -> dict:
    """What track serializers need: the request, and whether HLS links are offered."""
    return {"request": request, "hls_enabled": flag_enabled("hls_streaming")}


def share_token_from_request(request) -> str | None:
    """``?share_token=`` (on the /stream hot path: read directly, no serializer).

    A malformed or oversized token simply matches nothing (403 for a private track).
    """
    token = request.query_params.get("share_token")
    return token if token and len(token) <= 128 else None


# GET for anyone (a credential, when sent, is still checked); other methods need a login (401
# when anonymous) plus ``write_permission_classes``. A comment, not a docstring: views inherit
# docstrings, and the OpenAPI schema would print this one under every operation.
class ReadOpenApi(OptionalAuthApiMixin, APIView):
    write_permission_classes: list = [IsAuthenticated]

    def get_permissions(self):
        if self.request.method == "GET":
            return super().get_permissions()
        return [permission() for permission in self.write_permission_classes]
