"""OAuth / OpenID Connect sign-in (shared/API.md, Accounts: /auth/oauth/*; changelog: PKCE,
AES-256-GCM token encryption, OAUTH_ALLOWED_REDIRECT_DOMAINS).

``start`` stores a random ``state`` with a PKCE S256 ``code_verifier`` (single use, 10 minutes)
and sends the browser to the provider, with the state also in an HttpOnly cookie so that the
callback only works in the browser that started the flow (no login CSRF). ``callback``
consumes the state with one conditional UPDATE (a replayed or concurrent callback finds nothing
to consume), exchanges the code with the
verifier (Authlib), reads the identity, and signs the person in:

- an identity already linked signs in its account;
- otherwise a provider-verified email links the account with that email, but only if that
  account verified its email too (else someone who registered the address without owning it
  would gain the victim's sign-in);
- otherwise a new, verified account is created.

Provider tokens are stored encrypted (``veza.crypto``). An account with 2FA on cannot skip its
second factor through a provider: it is sent back with ``OTP_REQUIRED``.

Authlib and requests (with their TLS stack, several MiB per process) are imported by the
functions that talk to a provider: web processes load them on the first OAuth sign-in only.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.exceptions import (
    ErrorCode,
    InvalidRedirect,
    InvalidState,
    OAuthFlowError,
    OAuthProviderUnknown,
)
from apps.accounts.models import OAuthAccount, OAuthState, User
from apps.accounts.services.sessions import session_tokens_issue
from apps.accounts.services.two_factor import two_factor_is_enabled
from veza import crypto
from veza.api.exceptions import ErrorCode as GenericCode
from veza.audit import RequestMeta, audit_record
from veza.normalization import email_normalize, email_normalized_fits

if TYPE_CHECKING:
    from authlib.integrations.requests_client import OAuth2Session

logger = logging.getLogger(__name__)

STATE_COOKIE = "veza_oauth_state"
STATE_COOKIE_PATH = "/api/v1/auth/oauth/"
ACCESS_PURPOSE = "oauth.access_token"
REFRESH_PURPOSE = "oauth.refresh_token"

PRESETS: dict[str, dict[str, str]] = {
    "google": {
        "kind": "oidc",
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_url": "https://oauth2.googleapis.com/token",
        "userinfo_url": "https://openidconnect.googleapis.com/v1/userinfo",
        "scope": "openid email profile",
    },
    "github": {
        "kind": "github",
        "authorize_url": "https://github.com/login/oauth/authorize",
        "token_url": "https://github.com/login/oauth/access_token",
        "userinfo_url": "https://api.github.com/user",
        "emails_url": "https://api.github.com/user/emails",
        "scope": "read:user user:email",
    },
}


@dataclass(frozen=True)
class Provider:
    name: str
    kind: str  # "oidc" (standard claims from userinfo) or "github"
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    userinfo_url: str
    scope: str
    emails_url: str = ""


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str
    email_verified: bool
    username_hint: str


def oauth_provider_get(*, name: str) -> Provider:
    config = settings.OAUTH_PROVIDERS.get(name)
    if not isinstance(config, dict) or not config.get("client_id"):
        raise OAuthProviderUnknown()
    merged = {**PRESETS.get(name, {}), **config}
    try:
        return Provider(
            name=name,
            kind=merged.get("kind", "oidc"),
            client_id=merged["client_id"],
            client_secret=merged.get("client_secret", ""),
            authorize_url=merged["authorize_url"],
            token_url=merged["token_url"],
            userinfo_url=merged["userinfo_url"],
            scope=merged.get("scope", "openid email profile"),
            emails_url=merged.get("emails_url", ""),
        )
    except KeyError as exc:
        logger.error("OAuth provider %s is misconfigured: missing %s", name, exc)
        raise OAuthProviderUnknown() from exc


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def redirect_uri_validate(*, uri: str) -> str:
    """Accept only ``https://<allowed host>[:port]/path[?query]`` (plain http for localhost).

    Parsed, never pattern-matched: the host must equal an entry of
    ``OAUTH_ALLOWED_REDIRECT_DOMAINS`` exactly (``allowed.evil.com`` is not ``allowed``), with
    no userinfo (``https://evil.com@allowed``), no backslashes or control characters (which
    browsers "fix" differently from parsers), an explicit scheme (``//evil.com``,
    ``javascript:``) and no fragment (the tokens go there).
    """
    if not uri or len(uri) > 2048 or re.search(r"[\x00-\x20\x7f\\]", uri):
        raise InvalidRedirect()
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError as exc:
        raise InvalidRedirect() from exc
    host = (parts.hostname or "").rstrip(".").lower()
    allowed = {domain.strip().lower() for domain in settings.OAUTH_ALLOWED_REDIRECT_DOMAINS}
    secure_enough = parts.scheme == "https" or (parts.scheme == "http" and host in _LOCAL_HOSTS)
    if (
        not secure_enough
        or not host
        or host not in allowed
        or "@" in parts.netloc
        or parts.username is not None
        or parts.fragment
        or "#" in uri
        or (port is not None and not 0 < port < 65536)
    ):
        raise InvalidRedirect()
    return uri


def _session(provider: Provider, callback_url: str) -> OAuth2Session:
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scope,
        redirect_uri=callback_url,
        code_challenge_method="S256",
    )


def oauth_start(*, provider: Provider, redirect_uri: str, callback_url: str) -> tuple[str, str]:
    """Store state + PKCE verifier; return the provider's authorization URL and the state
    (which the API also sets as a cookie, binding the flow to this browser)."""
    redirect_uri = redirect_uri_validate(uri=redirect_uri)
    now = timezone.now()
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43..128
    OAuthState.objects.create(
        state=state,
        provider=provider.name,
        code_verifier=verifier,
        redirect_uri=redirect_uri,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.OAUTH_STATE_TTL),
    )
    url, _ = _session(provider, callback_url).create_authorization_url(
        provider.authorize_url, state=state, code_verifier=verifier
    )
    return url, state


def oauth_states_prune(*, now=None) -> int:
    """Delete the states past their expiry (used or not: neither can be consumed any more).
    Run by the beat task ``accounts.oauth_states_prune``; one indexed delete."""
    deleted, _ = OAuthState.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


def _state_consume(*, provider: Provider, state: str, browser_state: str | None) -> OAuthState:
    """Single use: one conditional UPDATE. The state must also come back in the cookie set at
    start, so a callback link crafted by someone else (login CSRF: signing the victim into the
    attacker's account) is refused."""
    if not browser_state or not constant_time_compare(browser_state, state):
        raise InvalidState()
    now = timezone.now()
    consumed = OAuthState.objects.filter(
        state=state, provider=provider.name, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not consumed:
        raise InvalidState()
    return OAuthState.objects.get(state=state)


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _identity_fetch(provider: Provider, session: OAuth2Session) -> Identity:
    timeout = settings.OAUTH_HTTP_TIMEOUT
    response = session.get(provider.userinfo_url, timeout=timeout)
    response.raise_for_status()
    info = response.json()
    if provider.kind == "github":
        email, verified = "", False
        if provider.emails_url:
            emails = session.get(provider.emails_url, timeout=timeout)
            emails.raise_for_status()
            primary = [e for e in emails.json() if e.get("primary") and e.get("verified")]
            if primary:
                email, verified = primary[0]["email"], True
        return Identity(
            subject=str(info["id"]),
            email=email,
            email_verified=verified,
            username_hint=info.get("login") or "",
        )
    return Identity(
        subject=str(info["sub"]),
        email=info.get("email") or "",
        email_verified=_truthy(info.get("email_verified")),
        username_hint=info.get("preferred_username") or info.get("name") or "",
    )


def _username_available(hint: str, email: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", hint or email.split("@")[0])[:24] or "user"
    if len(base) < 3:
        base = f"{base}user"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{secrets.randbelow(100000)}"
    return candidate


def _tokens_store(*, account: OAuthAccount, token: dict) -> None:
    access = token.get("access_token") or ""
    refresh = token.get("refresh_token") or ""
    expires_in = token.get("expires_in")
    account.access_token = crypto.encrypt(access, purpose=ACCESS_PURPOSE) if access else ""
    account.refresh_token = crypto.encrypt(refresh, purpose=REFRESH_PURPOSE) if refresh else ""
    account.token_expires_at = (
        timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None
    )


@transaction.atomic
def _account_for_identity(
    *, provider: Provider, identity: Identity, token: dict, meta: RequestMeta, redirect_uri: str
) -> User:
    linked = (
        OAuthAccount.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider.name, provider_user_id=identity.subject)
        .first()
    )
    if linked is not None:
        user, action = linked.user, "user.oauth_login"
        if not user.is_active:
            raise OAuthFlowError(ErrorCode.ACCOUNT_DISABLED, redirect_uri)
        account = linked
    else:
        if not identity.email or not identity.email_verified:
            raise OAuthFlowError(ErrorCode.EMAIL_NOT_VERIFIED, redirect_uri)
        if not email_normalized_fits(identity.email):
            raise OAuthFlowError(ErrorCode.INVALID_EMAIL, redirect_uri)
        user = User.objects.filter(email_normalized=email_normalize(identity.email)).first()
        if user is not None:
            if not user.is_verified:
                raise OAuthFlowError(ErrorCode.EMAIL_NOT_VERIFIED, redirect_uri)
            if not user.is_active:
                raise OAuthFlowError(ErrorCode.ACCOUNT_DISABLED, redirect_uri)
            action = "user.oauth_link"
        else:
            try:
                with transaction.atomic():
                    user = User.objects.create_user(
                        email=identity.email,
                        username=_username_available(identity.username_hint, identity.email),
                        password=None,
                        is_verified=True,
                    )
            except IntegrityError as exc:  # a concurrent sign-up took the email or username
                raise OAuthFlowError(GenericCode.CONFLICT, redirect_uri) from exc
            action = "user.oauth_register"
        account = OAuthAccount(user=user, provider=provider.name, provider_user_id=identity.subject)
    if two_factor_is_enabled(user=user):
        # Checked before anything is written: no new link without the second factor.
        raise OAuthFlowError(ErrorCode.OTP_REQUIRED, redirect_uri)
    account.email = identity.email[:254]
    _tokens_store(account=account, token=token)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:  # the same identity linked concurrently
        raise OAuthFlowError(GenericCode.CONFLICT, redirect_uri) from exc
    audit_record(
        action=action, actor=user, target=user, meta=meta, metadata={"provider": provider.name}
    )
    return user


def oauth_callback(
    *,
    provider: Provider,
    code: str,
    state: str,
    browser_state: str | None,
    callback_url: str,
    meta: RequestMeta,
) -> tuple[str, User, RefreshToken]:
    """Returns (redirect_uri, user, refresh). Raises InvalidState (400) before the state is
    consumed, OAuthFlowError (back to the app) after."""
    import requests
    from authlib.common.errors import AuthlibBaseError

    stored = _state_consume(provider=provider, state=state, browser_state=browser_state)
    session = _session(provider, callback_url)
    try:
        token = session.fetch_token(
            provider.token_url,
            grant_type="authorization_code",
            code=code,
            code_verifier=stored.code_verifier,
            timeout=settings.OAUTH_HTTP_TIMEOUT,
        )
        identity = _identity_fetch(provider, session)
    except (AuthlibBaseError, requests.RequestException, ValueError, KeyError, TypeError) as exc:
        logger.warning("OAuth %s exchange failed: %s", provider.name, exc)
        raise OAuthFlowError(ErrorCode.OAUTH_PROVIDER_ERROR, stored.redirect_uri) from exc
    user = _account_for_identity(
        provider=provider,
        identity=identity,
        token=dict(token),
        meta=meta,
        redirect_uri=stored.redirect_uri,
    )
    refresh = session_tokens_issue(user=user, otp_verified=False)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return stored.redirect_uri, user, refresh


def oauth_state_fail(*, provider: Provider, state: str, browser_state: str | None) -> str:
    """The provider reported an error (e.g. the person declined): consume the state and
    return where to send the browser."""
    return _state_consume(provider=provider, state=state, browser_state=browser_state).redirect_uri


def redirect_with_fragment(redirect_uri: str, values: dict[str, str]) -> str:
    """Tokens go in the fragment: never sent to a server, never in logs or Referer."""
    return f"{redirect_uri}#{urlencode(values)}"


def oauth_account_tokens(*, account: OAuthAccount) -> tuple[str, str]:
    """The decrypted provider tokens (for calls made on the person's behalf)."""
    access = (
        crypto.decrypt(account.access_token, purpose=ACCESS_PURPOSE) if account.access_token else ""
    )
    refresh = (
        crypto.decrypt(account.refresh_token, purpose=REFRESH_PURPOSE)
        if account.refresh_token
        else ""
    )
    return access, refresh


def oauth_tokens_encrypt_all() -> dict[str, int]:
    """``manage.py encrypt_oauth_tokens``: encrypt plain-text token columns and re-encrypt
    values written with a retired key. Values under the current key are left alone, so a
    second run changes nothing. Each write is conditional on the value it read."""
    counts = {"encrypted": 0, "reencrypted": 0, "unchanged": 0}
    fields = (("access_token", ACCESS_PURPOSE), ("refresh_token", REFRESH_PURPOSE))
    rows = OAuthAccount.objects.values_list("pk", "access_token", "refresh_token").iterator(
        chunk_size=500
    )
    for pk, *values in rows:
        for (field, purpose), value in zip(fields, values, strict=True):
            if not value or crypto.encrypted_with_current_key(value):
                counts["unchanged"] += 1
                continue
            if crypto.is_encrypted(value):
                plain, kind = crypto.decrypt(value, purpose=purpose), "reencrypted"
            else:
                plain, kind = value, "encrypted"
            updated = OAuthAccount.objects.filter(pk=pk, **{field: value}).update(
                **{field: crypto.encrypt(plain, purpose=purpose)}
            )
            counts[kind if updated else "unchanged"] += 1
    return counts
