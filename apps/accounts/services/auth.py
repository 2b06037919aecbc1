"""Login, token rotation and revocation, password change and reset."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.exceptions import (
    InvalidCredentials,
    InvalidOtp,
    InvalidPassword,
    InvalidRefreshToken,
    OtpRequired,
)
from apps.accounts.exceptions import InvalidToken as InvalidLinkToken
from apps.accounts.models import User
from apps.accounts.services.audit import RequestMeta, audit_record
from apps.accounts.services.two_factor import otp_verify, two_factor_is_enabled
from apps.accounts.tokens import password_reset_token_check, password_reset_token_make
from veza.api import ratelimit
from veza.api.exceptions import ValidationFailed
from veza.emails import email_send_on_commit
from veza.normalization import email_normalize


def login_tokens(
    *, request, email: str, password: str, otp_code: str | None = None
) -> tuple[User, RefreshToken]:
    """Check the credentials (and the second factor when 2FA is on), then mint a
    refresh/access pair (tracked for revocation).

    Rate limits (shared/API.md "API keys: scopes and rate limits", changelog "Login/register
    soumis au rate limiter"): every attempt counts against the client IP; failed attempts
    (wrong password or wrong code) count against the account, which is refused once past its
    limit even with the right password.
    """
    account = email_normalize(email)
    ratelimit.ip_limit_enforce(request, group="login_ip")
    ratelimit.usage_peek(request, group="login_account_failures", value=account)
    user = authenticate(request, email=email, password=password)
    if user is None:
        ratelimit.usage_hit(request, group="login_account_failures", value=account)
        raise InvalidCredentials()
    if two_factor_is_enabled(user=user):
        if not otp_code:
            raise OtpRequired()
        if not otp_verify(user=user, code=otp_code):
            ratelimit.usage_hit(request, group="login_account_failures", value=account)
            raise InvalidOtp()
    refresh = RefreshToken.for_user(user)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user, refresh


def _refresh_token_parse(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)
    except TokenError as exc:
        raise InvalidRefreshToken() from exc


@transaction.atomic
def refresh_token_rotate(*, raw_refresh: str) -> RefreshToken:
    """Trade a refresh token for a new pair; the old token is blacklisted.

    The old token's row is locked and blacklisted in the same transaction, so two concurrent
    refreshes with one token yield one new pair, never two.
    """
    token = _refresh_token_parse(raw_refresh)
    outstanding = (
        OutstandingToken.objects.select_for_update(of=("self",)).filter(jti=token["jti"]).first()
    )
    if outstanding is None:
        raise InvalidRefreshToken()
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not created:
        raise InvalidRefreshToken()
    user = User.objects.filter(pk=token.get("user_id"), is_active=True).first()
    if user is None:
        raise InvalidRefreshToken()
    return RefreshToken.for_user(user)


def refresh_token_revoke(*, raw_refresh: str) -> None:
    """Logout: blacklist this refresh token so it can never be used again."""
    token = _refresh_token_parse(raw_refresh)
    token.blacklist()


def _revoke_all_refresh_tokens(*, user: User, keep_jti: str | None = None) -> int:
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now()).exclude(
        blacklistedtoken__isnull=False
    )
    if keep_jti:
        outstanding = outstanding.exclude(jti=keep_jti)
    tokens = list(outstanding.only("id"))
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in tokens], ignore_conflicts=True
    )
    return len(tokens)


def _password_validate(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(details={"new_password": list(exc.messages)}) from exc


@transaction.atomic
def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    keep_refresh: str | None,
    meta: RequestMeta,
) -> None:
    """Change the password; every other session's refresh token stops working.

    The caller may name its own refresh token (``refresh``) to stay signed in; every other
    outstanding refresh token of the account is blacklisted.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(current_password):
        raise InvalidPassword()
    _password_validate(new_password, user)
    keep_jti = None
    if keep_refresh:
        try:
            token = RefreshToken(keep_refresh)
            if str(token.get("user_id")) == str(user.pk):
                keep_jti = token.get("jti")
        except TokenError:
            keep_jti = None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    revoked = _revoke_all_refresh_tokens(user=user, keep_jti=keep_jti)
    audit_record(
        action="user.password_change",
        actor=user,
        target=user,
        meta=meta,
        metadata={"revoked_sessions": revoked},
    )
    email_send_on_commit(
        template="password_changed", to=user.email, context={"username": user.username}
    )


def password_reset_request(*, email: str) -> None:
    """Email a reset link when the address belongs to an active account. Silent otherwise."""
    user = User.objects.filter(email_normalized=email_normalize(email), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    token = password_reset_token_make(user)
    email_send_on_commit(
        template="password_reset",
        to=user.email,
        context={
            "username": user.username,
            "link": f"{settings.FRONTEND_URL}/reset-password?token={token}",
        },
    )


@transaction.atomic
def password_reset_confirm(*, token: str, new_password: str, meta: RequestMeta) -> User:
    user = password_reset_token_check(token)
    if user is None:
        raise InvalidLinkToken()
    user = User.objects.select_for_update().get(pk=user.pk)
    # Re-check under the lock: two concurrent uses of one link change the password once.
    if password_reset_token_check(token) is None:
        raise InvalidLinkToken()
    _password_validate(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    revoked = _revoke_all_refresh_tokens(user=user)
    audit_record(
        action="user.password_reset",
        actor=user,
        target=user,
        meta=meta,
        metadata={"revoked_sessions": revoked},
    )
    return user
