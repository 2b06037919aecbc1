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
from apps.accounts.services.sessions import (
    RevokedCredentials,
    credentials_revoke,
    session_tokens_issue,
)
from apps.accounts.services.two_factor import otp_verify, two_factor_is_enabled
from apps.accounts.tokens import password_reset_token_check, password_reset_token_make
from veza.api import ratelimit
from veza.api.authentication import OTP_CLAIM
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record
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
    ratelimit.account_failures_check(account=account)
    user = authenticate(request, email=email, password=password)
    if user is None:
        ratelimit.account_failure_record(account=account)
        raise InvalidCredentials()
    otp_verified = False
    if two_factor_is_enabled(user=user):
        if not otp_code:
            raise OtpRequired()
        if not otp_verify(user=user, code=otp_code):
            ratelimit.account_failure_record(account=account)
            raise InvalidOtp()
        otp_verified = True
    refresh = session_tokens_issue(user=user, otp_verified=otp_verified)
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
    return session_tokens_issue(user=user, otp_verified=token.get(OTP_CLAIM) is True)


def refresh_token_revoke(*, raw_refresh: str) -> None:
    """Logout: blacklist this refresh token so it can never be used again."""
    token = _refresh_token_parse(raw_refresh)
    token.blacklist()


def _password_validate(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(details={"new_password": list(exc.messages)}) from exc


def _password_changed_email(*, user: User, how: str, revoked: RevokedCredentials) -> None:
    email_send_on_commit(
        template="password_changed",
        to=user.email,
        context={
            "username": user.username,
            "how": how,
            "revoked_api_keys": revoked.as_email_context(),
        },
    )


def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    keep_refresh: str | None,
    meta: RequestMeta,
) -> None:
    """Change the password; every other session, every access token issued before and every
    API key stop working (the email lists the revoked keys; the audit row counts them).

    The caller may name its own refresh token (``refresh``) to stay signed in: it keeps working
    and trades for a fresh access token. A wrong current password counts against the account's
    failed-login limit (shared with the login), and past it the answer is 429 even with the
    right password.
    """
    account = user.email_normalized
    ratelimit.account_failures_check(account=account)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        password_ok = user.check_password(current_password)
        if password_ok:
            _password_validate(new_password, user)
            _password_change_apply(
                user=user, new_password=new_password, keep_refresh=keep_refresh, meta=meta
            )
            return
    ratelimit.account_failure_record(account=account)
    raise InvalidPassword()


def _password_change_apply(
    *, user: User, new_password: str, keep_refresh: str | None, meta: RequestMeta
) -> None:
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
    revoked = credentials_revoke(user=user, keep_refresh_jti=keep_jti)
    audit_record(
        action="user.password_change",
        actor=user,
        target=user,
        meta=meta,
        metadata=revoked.as_metadata(),
    )
    _password_changed_email(user=user, how="changed", revoked=revoked)


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
    """Set a new password through the emailed link; the link proves control of the address.

    Every session, access token and API key of the account stops working. When the address
    was not verified yet, the reset verifies it, and since whoever set the account up never
    proved they own the address (pre-registration of someone else's email), everything they
    set up goes too: 2FA devices with their backup codes and linked OAuth identities.
    """
    user = password_reset_token_check(token)
    if user is None:
        raise InvalidLinkToken()
    user = User.objects.select_for_update().get(pk=user.pk)
    # Re-check under the lock: two concurrent uses of one link change the password once.
    if password_reset_token_check(token) is None:
        raise InvalidLinkToken()
    _password_validate(new_password, user)
    ownership_proven = not user.is_verified
    user.set_password(new_password)
    user.is_verified = True
    user.save(update_fields=["password", "is_verified"])
    revoked = credentials_revoke(user=user, everything=ownership_proven)
    audit_record(
        action="user.password_reset",
        actor=user,
        target=user,
        meta=meta,
        metadata={**revoked.as_metadata(), "verified_email": ownership_proven},
    )
    _password_changed_email(user=user, how="reset", revoked=revoked)
    return user
