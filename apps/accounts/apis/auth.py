"""Accounts API (shared/API.md, Accounts and authentication). Thin: parse, call a service."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.apis.examples import LOGIN_EXAMPLES, REGISTER_EXAMPLES
from apps.accounts.serializers import (
    EmailInputSerializer,
    LoginInputSerializer,
    LoginOutputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    TokenInputSerializer,
    TokenPairOutputSerializer,
    UpgradeCreatorOutputSerializer,
    UserOutputSerializer,
    UserUpdateInputSerializer,
)
from veza.api import ratelimit
from veza.api.authentication import SessionJWTAuthentication
from veza.api.permissions import LoginSessionRequired
from veza.api.schema import error_response
from veza.api.views import PublicApiMixin
from veza.audit import RequestMeta

ACCEPTED = OpenApiResponse(description="Accepted; the same answer whether or not the email exists.")
NO_CONTENT = OpenApiResponse(description="Done.")


class PublicApi(PublicApiMixin, APIView):
    """Endpoints reached before login: no authentication, so no CSRF either."""


class RegisterApi(PublicApi):
    extra_error_codes = ("429",)

    @extend_schema(
        tags=["auth"],
        request=RegisterInputSerializer,
        responses={
            201: OpenApiResponse(
                UserOutputSerializer,
                description=(
                    "The new, unverified account; a verification email is on its way. For an "
                    "address that already has an account the answer is the same, built from "
                    "the submitted values, but nothing is created: the address's owner is "
                    "emailed instead (no account enumeration)."
                ),
            ),
            400: error_response("VALIDATION_ERROR (e.g. a taken username or a weak password)"),
        },
        summary="Create an account (unverified) and send the verification email",
        examples=REGISTER_EXAMPLES,
        description=(
            "Creates a `user` account with `is_verified: false` and emails a verification "
            "link (`<FRONTEND_URL>/verify-email?token=…`, valid 48 hours). An address that "
            "already has an account gets the same 201 (its owner is emailed instead), so the "
            "answer never reveals who is registered. A taken username or a weak password: 400"
            " VALIDATION_ERROR with field details. Rate limited per client IP (429 "
            "RATE_LIMITED)."
        ),
    )
    def post(self, request):
        ratelimit.ip_limit_enforce(request, group="register_ip")
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data, meta=RequestMeta.from_request(request))
        user = selectors.user_with_profile(user=user)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


def _bearer_user_or_none(request):
    """The account of a valid bearer token, if the caller sent one; never an error (a stale
    token in the app must not stop a verification link from working)."""
    try:
        result = SessionJWTAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        return None
    return result[0] if result else None


class VerifyEmailApi(PublicApi):
    @extend_schema(
        tags=["auth"],
        request=TokenInputSerializer,
        responses={
            200: UserOutputSerializer,
            400: error_response("INVALID_TOKEN or VALIDATION_ERROR"),
        },
        summary="Confirm an email address with the token from the email",
        description=(
            "Without a bearer token of this account, the click may come from the address's "
            "owner rather than whoever registered it: every session, access token and API key "
            "of the account is revoked, with any 2FA device or OAuth link set up before."
        ),
    )
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.email_verification_confirm(
            token=data.validated_data["token"],
            caller=_bearer_user_or_none(request),
            meta=RequestMeta.from_request(request),
        )
        user = selectors.user_with_profile(user=user)
        return Response(UserOutputSerializer(user).data)


class VerifyEmailResendApi(PublicApi):
    extra_error_codes = ("429",)

    @extend_schema(
        tags=["auth"],
        request=EmailInputSerializer,
        responses={202: ACCEPTED},
        summary="Send a new verification link (no account enumeration)",
        description=(
            "Always 202, whether or not the address exists or is already verified. Rate "
            "limited per client IP (429)."
        ),
    )
    def post(self, request):
        ratelimit.ip_limit_enforce(request, group="verify_resend_ip")
        data = EmailInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.email_verification_resend(email=data.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class LoginApi(PublicApi):
    extra_error_codes = ("429",)

    @extend_schema(
        tags=["auth"],
        request=LoginInputSerializer,
        responses={
            200: LoginOutputSerializer,
            401: error_response("INVALID_CREDENTIALS; with 2FA on, OTP_REQUIRED or INVALID_OTP"),
            429: error_response("RATE_LIMITED (per IP, per account, or too many wrong codes)"),
        },
        summary="Exchange email, password (and a 2FA code) for an access and a refresh token",
        examples=LOGIN_EXAMPLES,
        description=(
            "The `access` token (15 minutes) goes in `Authorization: Bearer <access>`; the "
            "`refresh` token (14 days, single use) gets a new pair from /auth/token/refresh. "
            "With 2FA on, send `otp_code` (a current code or a backup code): without it 401 "
            "OTP_REQUIRED, wrong 401 INVALID_OTP. Wrong email or password: 401 "
            "INVALID_CREDENTIALS (the same answer for an unknown address). Rate limited per "
            "client IP and per account: 429 RATE_LIMITED with Retry-After. No authentication "
            "is read here, so a stale Authorization header does no harm."
        ),
    )
    def post(self, request):
        data = LoginInputSerializer(data=request.data)
        if not data.is_valid():
            ratelimit.ip_limit_enforce(request, group="login_ip")
            data.is_valid(raise_exception=True)
        user, refresh = services.login_tokens(
            request=request,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            otp_code=data.validated_data.get("otp_code") or None,
        )
        user = selectors.user_with_profile(user=user)
        body = {
            "access": str(refresh.access_token),
            "refresh": str(refresh),
            "user": UserOutputSerializer(user).data,
        }
        return Response(body)


class TokenRefreshApi(PublicApi):
    @extend_schema(
        tags=["auth"],
        request=RefreshInputSerializer,
        responses={200: TokenPairOutputSerializer, 401: error_response("INVALID_TOKEN")},
        summary="Rotate a refresh token: a new pair; the old refresh token stops working",
        description=(
            "Send the `refresh` token from login; the answer is a new `access` and a new "
            "`refresh`. The old refresh token stops working (rotation): using it again, or an"
            " expired or revoked one, is 401 INVALID_TOKEN, and the person logs in again."
        ),
    )
    def post(self, request):
        data = RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refresh = services.refresh_token_rotate(raw_refresh=data.validated_data["refresh"])
        return Response(
            TokenPairOutputSerializer(
                {"access": str(refresh.access_token), "refresh": str(refresh)}
            ).data
        )


class LogoutApi(PublicApi):
    @extend_schema(
        tags=["auth"],
        request=RefreshInputSerializer,
        responses={204: NO_CONTENT, 401: error_response("INVALID_TOKEN")},
        summary="Revoke a refresh token",
        description=(
            "Revokes the given refresh token (204); an invalid or already revoked one is 401 "
            "INVALID_TOKEN. The access token lives out its 15 minutes: drop it on the client."
        ),
    )
    def post(self, request):
        data = RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.refresh_token_revoke(raw_refresh=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(PublicApi):
    extra_error_codes = ("429",)

    @extend_schema(
        tags=["auth"],
        request=EmailInputSerializer,
        responses={202: ACCEPTED},
        summary="Email a password-reset link (no account enumeration)",
        description=(
            "Always 202, whether or not the address has an account (nobody learns which "
            "addresses are registered). When it has one, the email links to "
            "`<FRONTEND_URL>/reset-password?token=…`, valid for one hour and once. Rate "
            "limited per client IP (429)."
        ),
    )
    def post(self, request):
        ratelimit.ip_limit_enforce(request, group="password_reset_ip")
        data = EmailInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(PublicApi):
    @extend_schema(
        tags=["auth"],
        request=PasswordResetConfirmInputSerializer,
        responses={204: NO_CONTENT, 400: error_response("INVALID_TOKEN or VALIDATION_ERROR")},
        summary="Set a new password with the token from the reset email",
        description=(
            "Sets the new password with the token from the reset email. A bad, expired or "
            "used token: 400 INVALID_TOKEN; a weak password: 400 VALIDATION_ERROR on "
            "`new_password`. Every session, access token and API key of the account stops "
            "working; an unverified address becomes verified (the link proved it)."
        ),
    )
    def post(self, request):
        data = PasswordResetConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(
            **data.validated_data, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["users"],
        responses={200: UserOutputSerializer},
        summary="My account",
        description=("The caller's account and profile, with `role` and `is_verified`."),
    )
    def get(self, request):
        user = selectors.user_with_profile(user=request.user)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(
        tags=["users"],
        request=UserUpdateInputSerializer,
        responses={200: UserOutputSerializer},
        summary="Edit my username and profile",
        description=(
            "Username and profile fields; the email and the role cannot be changed here. A "
            "taken username: 400 VALIDATION_ERROR."
        ),
    )
    def patch(self, request):
        data = UserUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = selectors.user_with_profile(user=request.user)
        user = services.user_update(user=user, data=data.validated_data)
        return Response(UserOutputSerializer(user).data)


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated, LoginSessionRequired]
    extra_error_codes = ("429",)

    @extend_schema(
        tags=["users"],
        request=PasswordChangeInputSerializer,
        responses={
            204: NO_CONTENT,
            400: error_response("INVALID_PASSWORD or VALIDATION_ERROR"),
            403: error_response(
                "API_KEY_NOT_ALLOWED: needs a bearer token or a session, not an API key"
            ),
            429: error_response(
                "RATE_LIMITED: too many wrong passwords for this account (shared with login)"
            ),
        },
        summary="Change my password; other sessions, older access tokens and API keys end",
        description=(
            "Needs the current password (400 INVALID_PASSWORD; wrong attempts count like "
            "failed logins, 429). Every other session, older access tokens and the account's "
            "API keys stop working; the refresh token sent as `refresh` is kept."
        ),
    )
    def put(self, request):
        data = PasswordChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_change(
            user=request.user,
            current_password=data.validated_data["current_password"],
            new_password=data.validated_data["new_password"],
            keep_refresh=data.validated_data.get("refresh"),
            meta=RequestMeta.from_request(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class UpgradeCreatorApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["users"],
        request=None,
        responses={
            200: UpgradeCreatorOutputSerializer,
            403: error_response("EMAIL_NOT_VERIFIED"),
            404: error_response("NOT_FOUND: the account no longer exists"),
        },
        summary="Become a creator (one way; verified accounts only)",
        description=(
            "Verified accounts only (403 EMAIL_NOT_VERIFIED). A `user` becomes `creator` (may"
            " upload); any content-creator role stays as it is and the answer says "
            "`already_elevated: true`. One way: there is no downgrade. Audited."
        ),
    )
    def post(self, request):
        result = services.creator_upgrade(user=request.user, meta=RequestMeta.from_request(request))
        return Response(UpgradeCreatorOutputSerializer(result).data)
