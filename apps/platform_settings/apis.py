"""Platform API (shared/API.md, Platform)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import StaffTwoFactorLogin
from apps.platform_settings import selectors, services
from apps.platform_settings.serializers import (
    FeaturesOutputSerializer,
    MaintenanceInputSerializer,
    MaintenanceOutputSerializer,
)
from veza.api.schema import ErrorEnvelopeSerializer
from veza.api.views import PublicApiMixin
from veza.audit import RequestMeta


class FeaturesApi(PublicApiMixin, APIView):
    @extend_schema(
        tags=["platform"],
        responses={
            200: OpenApiResponse(
                FeaturesOutputSerializer,
                description="Every public flag (`hls_streaming` first); more may be added.",
            )
        },
        summary="Public feature flags: the single source of client defaults",
        description=(
            "Public feature flags such as `hls_streaming`; clients take their defaults from "
            "here. Cached for up to a minute."
        ),
    )
    def get(self, request):
        return Response(selectors.public_flags())


STAFF_FORBIDDEN = OpenApiResponse(
    response=ErrorEnvelopeSerializer,
    description=(
        "PERMISSION_DENIED (not staff), TWO_FACTOR_LOGIN_REQUIRED (staff, but the login did not "
        "pass 2FA: sign in again with the one-time code; API keys never qualify) or "
        "API_KEY_SCOPE."
    ),
)


class MaintenanceApi(APIView):
    permission_classes = [StaffTwoFactorLogin]

    @extend_schema(
        tags=["platform"],
        responses={200: MaintenanceOutputSerializer, 403: STAFF_FORBIDDEN},
        summary="Maintenance",
        description=(
            "Staff only, with a login that passed 2FA (403 TWO_FACTOR_LOGIN_REQUIRED "
            "otherwise; an API key needs the admin scope). Reachable while maintenance is on."
        ),
    )
    def get(self, request):
        return Response(MaintenanceOutputSerializer(selectors.maintenance_status()).data)

    @extend_schema(
        tags=["platform"],
        request=MaintenanceInputSerializer,
        responses={200: MaintenanceOutputSerializer, 403: STAFF_FORBIDDEN},
        summary="Turn maintenance on or off for the whole fleet (persisted first)",
        description=(
            "Staff only, with a login that passed 2FA. The flag is saved in the database "
            "first; every server process follows within MAINTENANCE_CACHE_TTL seconds. While "
            "on, every request but health, the admin site and this API answers 503 "
            "MAINTENANCE with Retry-After. Each change is audited."
        ),
    )
    def put(self, request):
        data = MaintenanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.maintenance_set(
            enabled=data.validated_data["enabled"],
            message=data.validated_data.get("message"),
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        return Response(MaintenanceOutputSerializer(selectors.maintenance_status()).data)
