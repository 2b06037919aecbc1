"""``/api/v1/auth/2fa/*`` (shared/API.md, Accounts). Managed by the person themselves: a bearer
token or a session, never an integrator's API key (403 ``API_KEY_NOT_ALLOWED``)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.serializers import (
    OtpCodeInputSerializer,
    TwoFactorDisableInputSerializer,
    TwoFactorEnableOutputSerializer,
    TwoFactorSetupOutputSerializer,
    TwoFactorStatusOutputSerializer,
)
from veza.api.permissions import LoginSessionRequired
from veza.api.schema import error_response
from veza.audit import RequestMeta

NOT_VERIFIED_OR_KEY = error_response(
    "EMAIL_NOT_VERIFIED (verify the address first) or API_KEY_NOT_ALLOWED (API keys cannot "
    "manage 2FA)"
)


class TwoFactorApi(APIView):
    permission_classes = [IsAuthenticated, LoginSessionRequired]
    extra_error_codes = ("409", "429")


class TwoFactorStatusApi(TwoFactorApi):
    @extend_schema(
        tags=["auth"],
        responses={200: TwoFactorStatusOutputSerializer},
        summary="Is 2FA on for me, and how many backup codes are left",
    )
    def get(self, request):
        return Response(
            TwoFactorStatusOutputSerializer(selectors.two_factor_status(user=request.user)).data
        )


class TwoFactorSetupApi(TwoFactorApi):
    @extend_schema(
        tags=["auth"],
        request=None,
        responses={200: TwoFactorSetupOutputSerializer, 403: NOT_VERIFIED_OR_KEY},
        summary="Start TOTP set-up (not active until enabled with a code)",
    )
    def post(self, request):
        device = services.two_factor_setup(user=request.user)
        return Response(
            TwoFactorSetupOutputSerializer(
                {"secret": services.totp_secret_base32(device), "otpauth_url": device.config_url}
            ).data
        )


class TwoFactorEnableApi(TwoFactorApi):
    @extend_schema(
        tags=["auth"],
        request=OtpCodeInputSerializer,
        responses={200: TwoFactorEnableOutputSerializer, 403: NOT_VERIFIED_OR_KEY},
        summary="Turn 2FA on with a current code; returns ten backup codes, shown once",
    )
    def post(self, request):
        data = OtpCodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = services.two_factor_enable(
            user=request.user,
            code=data.validated_data["code"],
            meta=RequestMeta.from_request(request),
        )
        return Response(TwoFactorEnableOutputSerializer({"backup_codes": codes}).data)


class TwoFactorDisableApi(TwoFactorApi):
    @extend_schema(
        tags=["auth"],
        request=TwoFactorDisableInputSerializer,
        responses={
            204: OpenApiResponse(description="2FA is off; backup codes are deleted."),
            400: error_response("INVALID_PASSWORD, INVALID_OTP or VALIDATION_ERROR"),
            403: error_response("API_KEY_NOT_ALLOWED: needs a bearer token or a session"),
            429: error_response(
                "RATE_LIMITED: too many wrong passwords or codes for this account (shared "
                "with login), or the device's back-off"
            ),
        },
        summary="Turn 2FA off with the password and a code",
    )
    def post(self, request):
        data = TwoFactorDisableInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.two_factor_disable(
            user=request.user,
            password=data.validated_data["password"],
            code=data.validated_data["code"],
            meta=RequestMeta.from_request(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
