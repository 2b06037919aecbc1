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
        description=(
            "With a bearer token or a session (API keys cannot manage 2FA: 403 "
            "API_KEY_NOT_ALLOWED)."
        ),
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
        description=(
            "Returns a TOTP secret and an otpauth:// URL for an authenticator app (as a QR "
            "code). Nothing changes for login until /auth/2fa/enable confirms it with a code."
            " Verified addresses only (403 EMAIL_NOT_VERIFIED); 409 "
            "TWO_FACTOR_ALREADY_ENABLED when 2FA is on."
        ),
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
        description=(
            "Confirms the set-up with a code from the authenticator app: 400 INVALID_OTP for "
            "a wrong code, 409 TWO_FACTOR_NOT_SET_UP before /auth/2fa/setup, "
            "TWO_FACTOR_ALREADY_ENABLED when it is on. The ten backup codes are shown in this"
            " response only. From now on, login needs `otp_code`."
        ),
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
        description=(
            "Needs the account password and a current code (or a backup code): 400 "
            "INVALID_PASSWORD or INVALID_OTP otherwise, 409 TWO_FACTOR_NOT_ENABLED when it is"
            " off. Wrong attempts count against the account like failed logins (429)."
        ),
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
