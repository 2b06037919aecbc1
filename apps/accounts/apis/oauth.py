"""``/api/v1/auth/oauth/{provider}/start|callback`` (shared/API.md, Accounts)."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.exceptions import OAuthFlowError
from apps.accounts.serializers import OAuthCallbackInputSerializer, OAuthStartInputSerializer
from apps.accounts.services.oauth import STATE_COOKIE, STATE_COOKIE_PATH
from veza.api import ratelimit
from veza.api.schema import ErrorEnvelopeSerializer
from veza.api.views import PublicApiMixin
from veza.audit import RequestMeta


class _Redirect(HttpResponseRedirect):
    # Tokens travel in the fragment; the provider's URL may use any https host.
    allowed_schemes = ["http", "https"]


def _done(location: str) -> _Redirect:
    response = _Redirect(location)
    response.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH, samesite="Lax")
    return response


def _callback_url(request, provider: str) -> str:
    return request.build_absolute_uri(reverse("auth-oauth-callback", args=[provider]))


class OAuthStartApi(PublicApiMixin, APIView):
    """Anonymous, and each call stores a state row: limited per client IP (429)."""

    extra_error_codes = ("429",)

    @extend_schema(
        tags=["auth"],
        parameters=[
            OpenApiParameter(
                "redirect_uri",
                str,
                required=True,
                description="Where the app wants the tokens; its host must be allowed.",
            )
        ],
        responses={
            302: OpenApiResponse(description="To the provider (state + PKCE S256)."),
            429: OpenApiResponse(
                response=ErrorEnvelopeSerializer,
                description="RATE_LIMITED: too many sign-in starts from this IP (Retry-After).",
            ),
        },
        summary="Start signing in with a provider",
        description=(
            "Redirects (302) the browser to the provider with `state` and a PKCE S256 "
            "`code_challenge`. `redirect_uri` must be on a host listed in "
            "OAUTH_ALLOWED_REDIRECT_DOMAINS (400 INVALID_REDIRECT otherwise); an unconfigured"
            " provider is 404. Anonymous, and each call stores a sign-in state: limited per "
            "client IP (429)."
        ),
    )
    def get(self, request, provider):
        ratelimit.ip_limit_enforce(request, group="oauth_start_ip")
        provider_config = services.oauth_provider_get(name=provider)
        data = OAuthStartInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        url, state = services.oauth_start(
            provider=provider_config,
            redirect_uri=data.validated_data["redirect_uri"],
            callback_url=_callback_url(request, provider),
        )
        response = _Redirect(url)
        response.set_cookie(
            STATE_COOKIE,
            state,
            max_age=settings.OAUTH_STATE_TTL,
            path=STATE_COOKIE_PATH,
            secure=not settings.DEBUG,
            httponly=True,
            samesite="Lax",  # sent on the provider's top-level redirect back to us
        )
        return response


class OAuthCallbackApi(PublicApiMixin, APIView):
    @extend_schema(
        tags=["auth"],
        parameters=[
            OpenApiParameter("state", str, required=True),
            OpenApiParameter("code", str, required=False),
            OpenApiParameter("error", str, required=False, description="Set by the provider."),
        ],
        responses={
            302: OpenApiResponse(
                description=(
                    "Back to the app's redirect_uri with `#access=…&refresh=…&token_type=Bearer`"
                    ", or `#error=<CODE>` (e.g. EMAIL_NOT_VERIFIED, OTP_REQUIRED)."
                )
            )
        },
        summary="Provider callback: exchanges the code with the stored PKCE verifier",
        description=(
            "Where the provider sends the browser back. Exchanges the code with the stored "
            "PKCE verifier, signs the person in (or creates the account) and redirects (302) "
            "to the `redirect_uri` given at start, with the tokens or an error code in the "
            "URL fragment. An unknown or already used `state`: 400 INVALID_STATE; an unknown "
            "provider: 404."
        ),
    )
    def get(self, request, provider):
        provider_config = services.oauth_provider_get(name=provider)
        data = OAuthCallbackInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        browser_state = request.COOKIES.get(STATE_COOKIE)
        if data.validated_data.get("error"):
            redirect_uri = services.oauth_state_fail(
                provider=provider_config,
                state=data.validated_data["state"],
                browser_state=browser_state,
            )
            return _done(services.redirect_with_fragment(redirect_uri, {"error": "ACCESS_DENIED"}))
        try:
            redirect_uri, _user, refresh = services.oauth_callback(
                provider=provider_config,
                code=data.validated_data["code"],
                state=data.validated_data["state"],
                browser_state=browser_state,
                callback_url=_callback_url(request, provider),
                meta=RequestMeta.from_request(request),
            )
        except OAuthFlowError as exc:
            return _done(services.redirect_with_fragment(exc.redirect_uri, {"error": exc.code}))
        return _done(
            services.redirect_with_fragment(
                redirect_uri,
                {
                    "access": str(refresh.access_token),
                    "refresh": str(refresh),
                    "token_type": "Bearer",
                },
            )
        )
