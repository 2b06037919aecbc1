"""Sign-in sessions: the token pairs the login services issue, and revoking what an account
holder has set up when the credentials change hands (README "Security model").

Every token pair carries two claims read by ``veza.api.authentication``:

- ``sv``: the account's ``session_version`` when issued. Raising the version (password change
  or reset, address ownership proven by email) ends every access token issued before at once;
  refresh tokens are ended one by one through simplejwt's blacklist.
- ``otp``: whether this login passed a second factor; refresh rotation keeps it, so a staff
  login that passed 2FA stays one until it ends (``StaffTwoFactorLogin``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.models import ApiKey, BackupCodeDevice, OAuthAccount, User
from veza.api.authentication import OTP_CLAIM, SESSION_VERSION_CLAIM


def session_tokens_issue(*, user: User, otp_verified: bool) -> RefreshToken:
    """A refresh token (tracked for revocation) whose access tokens carry ``sv`` and ``otp``."""
    version = User.objects.filter(pk=user.pk).values_list("session_version", flat=True).first()
    refresh = RefreshToken.for_user(user)
    refresh[SESSION_VERSION_CLAIM] = version or 0
    refresh[OTP_CLAIM] = bool(otp_verified)
    return refresh


def refresh_tokens_revoke_all(*, user: User, keep_jti: str | None = None) -> int:
    """Blacklist every live refresh token of ``user`` except ``keep_jti``; returns how many."""
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


@dataclass
class RevokedCredentials:
    sessions: int = 0
    api_keys: list[ApiKey] = field(default_factory=list)
    two_factor_devices: int = 0
    oauth_links: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict:
        """What staff read in the audit log: counts, key prefixes, provider names."""
        return {
            "revoked_sessions": self.sessions,
            "revoked_api_keys": [key.prefix for key in self.api_keys],
            "removed_two_factor_devices": self.two_factor_devices,
            "removed_oauth_links": self.oauth_links,
        }

    def as_email_context(self) -> list[dict]:
        return [{"prefix": key.prefix, "name": key.name} for key in self.api_keys]


def credentials_revoke(
    *, user: User, keep_refresh_jti: str | None = None, everything: bool = False
) -> RevokedCredentials:
    """End what the holder of the old credentials can still use. Call inside the transaction
    that changes the credentials.

    Always: every refresh token but ``keep_refresh_jti``, every access token (the version
    bump) and every API key. With ``everything`` (the address's owner just proved control of
    it and may not be whoever set the account up): also the 2FA devices with their backup
    codes and the linked OAuth identities, so nothing the earlier holder set up survives.
    """
    revoked = RevokedCredentials()
    revoked.sessions = refresh_tokens_revoke_all(user=user, keep_jti=keep_refresh_jti)
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    revoked.api_keys = list(
        ApiKey.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True)
        .order_by("created_at")
    )
    ApiKey.objects.filter(pk__in=[key.pk for key in revoked.api_keys]).update(
        revoked_at=timezone.now()
    )
    if everything:
        devices = TOTPDevice.objects.filter(user=user)
        backup_sets = BackupCodeDevice.objects.filter(user=user)
        revoked.two_factor_devices = devices.count() + backup_sets.count()
        devices.delete()
        backup_sets.delete()
        links = OAuthAccount.objects.filter(user=user).order_by("created_at")
        revoked.oauth_links = [f"{a.provider}:{a.provider_user_id}" for a in links]
        links.delete()
    return revoked
