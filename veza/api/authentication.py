"""``X-API-Key`` authentication for integrators (shared/API.md, Conventions and "API keys").

On success ``request.user`` is the key's owner and ``request.auth`` the :class:`ApiKey`.
Everything a key must pass happens here, before any view code runs, so no view can forget it:
the key is valid (not revoked, not expired, owner active), its hourly bucket (reads or writes
by method, counted separately) has room (429 ``RATE_LIMITED`` with ``Retry-After``), and the
method is within its scopes (403 ``API_KEY_SCOPE``). Counting comes first so that every
response to a key, refused or not, carries the bucket's headers: the usage is left on the
request for :class:`veza.api.ratelimit.RateLimitHeadersMiddleware`. CSRF never applies: DRF
only enforces it inside ``SessionAuthentication``.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.utils import aware_utcnow

from veza.api import ratelimit
from veza.api.bearer_users import bearer_user_get
from veza.api.exceptions import ErrorCode
from veza.compiled_get import CompiledGet

HEADER = "HTTP_X_API_KEY"
#: Verified access tokens kept per process (distinct callers seen within a token's 15 minutes).
VERIFIED_TOKENS_KEPT = 1024
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WINDOW_SECONDS = 60 * 60


class InvalidApiKey(exceptions.AuthenticationFailed):
    error_code = ErrorCode.INVALID_API_KEY
    default_detail = "The API key is invalid, expired or revoked."


class ApiKeyScopeDenied(exceptions.PermissionDenied):
    error_code = ErrorCode.API_KEY_SCOPE
    default_detail = "This API key's scopes do not allow this request."


class ApiKeyRateLimited(exceptions.Throttled):
    error_code = ErrorCode.RATE_LIMITED


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ADMIN_PATH_PREFIX = "/api/v1/admin/"


def scope_allows(scopes, method: str, path: str = "") -> bool:
    """read: GET/HEAD/OPTIONS; write: also POST/PUT/PATCH/DELETE; admin: everything.

    "Everything" includes the staff operations API under ``/api/v1/admin/`` (the owner must
    still be staff there): only an ``admin`` key reaches it, whatever the method.
    """
    scopes = set(scopes or ())
    if "admin" in scopes:
        return True
    if path.startswith(ADMIN_PATH_PREFIX):
        return False
    if method in READ_METHODS:
        return bool(scopes & {"read", "write"})
    return method in WRITE_METHODS and "write" in scopes


@functools.cache
def _api_key_resolver():
    """The function named by ``settings.API_KEY_AUTHENTICATOR``: ``(raw=str) -> key | None``.

    The key table belongs to an app; this ground floor reaches it through the setting instead
    of an import. The key it returns has ``user``, ``scopes``, ``read_limit_per_hour`` and
    ``write_limit_per_hour``.
    """
    return import_string(settings.API_KEY_AUTHENTICATOR)


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw = request.META.get(HEADER)
        if raw is None:
            return None
        api_key = _api_key_resolver()(raw=raw)
        if api_key is None:
            raise InvalidApiKey()
        is_read = request.method in READ_METHODS
        usage = ratelimit.window_hit(
            key=f"apikey:{api_key.pk}:{'read' if is_read else 'write'}",
            limit=api_key.read_limit_per_hour if is_read else api_key.write_limit_per_hour,
            window=WINDOW_SECONDS,
        )
        setattr(request._request, ratelimit.REQUEST_ATTRIBUTE, usage)
        if not scope_allows(api_key.scopes, request.method, request.path):
            raise ApiKeyScopeDenied()
        if not usage.allowed:
            raise ApiKeyRateLimited(
                wait=usage.retry_after() - 1,
                detail="This API key's hourly limit is reached.",
            )
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        return 'APIKey header="X-API-Key"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": (
                "An integrator key (`vz_live_…`) in the `X-API-Key` header. **How to get one:** "
                "log in (see jwtAuth), then `POST /api/v1/developer/api-keys` with "
                '`{"name": "my integration", "scopes": ["read"]}`: the full key is in that '
                "response only. Scopes: read (GET/HEAD/OPTIONS), write (also "
                "POST/PUT/PATCH/DELETE), admin (everything). 1000 reads and 200 writes per hour "
                "per key by default; every response carries X-RateLimit-Limit/Remaining/Reset "
                "(429 RATE_LIMITED with Retry-After past the limit). Account, password, 2FA, "
                "key and personal-data operations refuse keys (403 API_KEY_NOT_ALLOWED)."
            ),
        }


# --- Bearer tokens ---------------------------------------------------------------------------

#: Claims the login service writes into every token pair.
SESSION_VERSION_CLAIM = "sv"
OTP_CLAIM = "otp"

EXPECTED_CREDENTIALS = (
    "Send `Authorization: Bearer <access token>` (the `access` of POST /api/v1/auth/login) "
    "or `X-API-Key: <key>`."
)


class UnsupportedAuthorizationScheme(exceptions.AuthenticationFailed):
    error_code = ErrorCode.AUTHENTICATION_REQUIRED
    default_detail = f"This Authorization scheme is not supported. {EXPECTED_CREDENTIALS}"


class MalformedBearerToken(InvalidToken):
    default_detail = (
        "The Authorization header is not `Bearer <access token>` (one space, then the token). "
        + EXPECTED_CREDENTIALS
    )


class SessionJWTAuthentication(JWTAuthentication):
    """simplejwt's bearer authentication, plus: an access token whose ``sv`` claim is older
    than its owner's ``session_version`` is refused (401 ``INVALID_TOKEN``).

    A password change or reset raises the version, so access tokens issued before it stop
    working at once instead of living out their 15 minutes. Costs no query: the user row
    simplejwt loads anyway carries the version. Tokens without the claim count as version 0.
    """

    def get_raw_token(self, header: bytes) -> bytes | None:
        """Only ``Bearer <token>`` is understood; anything else in ``Authorization`` is refused
        with what is expected (401), instead of being ignored (a wrong scheme) or answered
        with the JWT library's wording (a malformed value). An empty header counts as none."""
        parts = header.split()
        if not parts:
            return None
        if parts[0].lower() != b"bearer":
            raise UnsupportedAuthorizationScheme()
        if len(parts) != 2:
            raise MalformedBearerToken()
        return parts[1]

    def get_validated_token(self, raw_token: bytes):
        if raw_token.count(b".") != 2:
            raise MalformedBearerToken("The bearer token is not a JWT. " + EXPECTED_CREDENTIALS)
        try:
            token = _token_verified(bytes(raw_token))
            token.check_exp(current_time=aware_utcnow())  # a verified token still expires
            return token
        except (InvalidToken, TokenError) as exc:
            raise InvalidToken(
                "The access token is invalid or expired: get a new one with POST "
                "/api/v1/auth/token/refresh (or log in again), then send "
                "`Authorization: Bearer <access token>`."
            ) from exc

    def get_user(self, validated_token):
        user_id = validated_token.get(jwt_settings.USER_ID_CLAIM)
        if user_id is None:
            user = super().get_user(validated_token)  # simplejwt's own refusal
        else:
            try:
                user = _user_by_id(self.user_model, user_id)
            except self.user_model.DoesNotExist:
                raise AuthenticationFailed("User not found", code="user_not_found") from None
            if jwt_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
                raise AuthenticationFailed("User is inactive", code="user_inactive")
        current = getattr(user, "session_version", 0)
        if validated_token.get(SESSION_VERSION_CLAIM, 0) != current:
            raise InvalidToken("This token was issued before the account's credentials changed.")
        return user


@functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)
def _token_verified(raw_token: bytes):
    """simplejwt's validation of an access token (signature, type, claims, expiry), kept per
    process for the same bytes.

    A player sends the same token with every range request, and verifying it again (pyjwt's
    segment checks, key screening, JSON) was a tenth of a /stream decision. The bytes decide
    the signature, type and claims once and for all; only the expiry moves, and the caller
    checks it on every use. A refused token raises and is not kept. Revocation does not live
    in the token: the session version on the user row, checked on every request, ends it.
    """
    return JWTAuthentication.get_validated_token(_PLAIN_JWT, raw_token)


#: model label -> its bearer user lookup (``USER_ID_FIELD``), compiled once per process.
_USER_LOOKUPS: dict[str, CompiledGet] = {}


def _user_by_id(model, user_id):
    """``model.objects.get(<USER_ID_FIELD>=user_id)``: this process's copy while the user's
    version token says it is current (:mod:`veza.api.bearer_users`), else the row, read with
    the SQL compiled once per process (:class:`veza.compiled_get.CompiledGet`)."""
    lookup = _USER_LOOKUPS.get(model._meta.label)
    if lookup is None:
        lookup = CompiledGet(model.objects.all, field=jwt_settings.USER_ID_FIELD)
        lookup = _USER_LOOKUPS.setdefault(model._meta.label, lookup)
    return bearer_user_get(user_id, lambda: lookup(user_id))


_PLAIN_JWT = JWTAuthentication()


@receiver(setting_changed)
def _forget_verified_tokens(*, setting, **kwargs):
    """A new signing key or token setting (tests) judges every token afresh."""
    if setting in ("SIMPLE_JWT", "SECRET_KEY"):
        _token_verified.cache_clear()


class SessionJWTScheme(SimpleJWTScheme):
    target_class = SessionJWTAuthentication
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {
            **super().get_security_definition(auto_schema),
            "description": (
                "**How to get a token:** `POST /api/v1/auth/login` with "
                '`{"email": "...", "password": "..."}` (add `"otp_code"` when 2FA is on). '
                "The answer's `access` token (valid 15 minutes) goes in every request as "
                "`Authorization: Bearer <access>`; in Swagger UI, press *Authorize* and paste "
                "the access token alone. When it expires (401 INVALID_TOKEN), "
                "`POST /api/v1/auth/token/refresh` with the `refresh` token (valid 14 days, "
                "single use) gives a new pair. Another scheme in `Authorization` (Basic, "
                "Token) or a malformed value is refused with 401 and says what is expected."
            ),
        }


class SessionCookieScheme(OpenApiAuthenticationExtension):
    """drf-spectacular's session scheme, with a description for API clients."""

    target_class = "rest_framework.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "The session of the admin site (`/admin/`), for the browsable API and Swagger "
                "UI in the same browser. Unsafe methods need the `X-CSRFToken` header. Apps "
                "and scripts use a bearer token (jwtAuth) or an API key instead."
            ),
        }


def is_api_key_request(request) -> bool:
    return isinstance(getattr(request, "successful_authenticator", None), ApiKeyAuthentication)


def login_passed_two_factor(request) -> bool:
    """Did the caller's login pass a second factor? A bearer token says so in its ``otp``
    claim (kept through refresh rotation); a session says so through django-otp (the admin
    site's OTP login). An API key never did."""
    if is_api_key_request(request):
        return False
    auth = request.auth
    if auth is not None and hasattr(auth, "payload"):
        return auth.payload.get(OTP_CLAIM) is True
    is_verified = getattr(getattr(request, "_request", request).user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())
