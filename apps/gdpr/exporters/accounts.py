"""Accounts: profile, account security and the audit entries about the user."""

from __future__ import annotations

import posixpath

from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import ApiKey, AuditLog, BackupCodeDevice, OAuthAccount, Profile
from apps.gdpr.exporters.base import CHUNK_SIZE, Exporter


def _avatar_path(profile) -> str | None:
    if profile is None or not profile.avatar:
        return None
    return f"profile/{posixpath.basename(profile.avatar.name)}"


def profile_media(user, cut_off):
    profile = Profile.objects.filter(user=user).first()
    if path := _avatar_path(profile):
        yield path, profile.avatar.name


def profile_rows(user, cut_off):
    profile = Profile.objects.filter(user=user).first()
    yield {
        "id": str(user.pk),
        "email": user.email,
        "username": user.username,
        "role": user.role,
        "is_verified": user.is_verified,
        "date_joined": user.date_joined,
        "promoted_to_creator_at": user.promoted_to_creator_at,
        "display_name": profile.display_name if profile else "",
        "bio": profile.bio if profile else "",
        "avatar": _avatar_path(profile),
        "country": str(profile.country) if profile and profile.country else "",
    }


def security_rows(user, cut_off):
    enabled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    backup_codes = BackupCodeDevice.objects.filter(user=user, confirmed=True).exists()
    yield {"type": "two_factor", "enabled": enabled, "backup_codes": backup_codes}
    for key in ApiKey.objects.filter(user=user, created_at__lte=cut_off).order_by("created_at"):
        yield {
            "type": "api_key",
            "id": str(key.pk),
            "name": key.name,
            "prefix": key.prefix,
            "scopes": key.scopes,
            "created_at": key.created_at,
            "last_used_at": key.last_used_at,
            "expires_at": key.expires_at,
            "revoked_at": key.revoked_at,
        }
    links = OAuthAccount.objects.filter(user=user, created_at__lte=cut_off).order_by("created_at")
    for link in links:
        yield {
            "type": "oauth_link",
            "provider": link.provider,
            "provider_user_id": link.provider_user_id,
            "email": link.email,
            "created_at": link.created_at,
        }


def audit_rows(user, cut_off):
    """Entries the user made, and entries about the user's account made by others. Who the
    others were is reduced to a role: a staff member's identity is not the user's data."""
    entries = (
        AuditLog.objects.filter(
            Q(actor=user)
            | Q(target_type="accounts.user", target_id=str(user.pk))
            | Q(metadata__user_id=str(user.pk)),
            created_at__lte=cut_off,
        )
        .order_by("created_at", "id")
        .values(
            "action",
            "actor_id",
            "target_type",
            "target_id",
            "ip_address",
            "user_agent",
            "metadata",
            "created_at",
        )
    )
    for entry in entries.iterator(chunk_size=CHUNK_SIZE):
        own = entry["actor_id"] == user.pk
        yield {
            "action": entry["action"],
            "by": "you" if own else ("Veza staff" if entry["actor_id"] else "Veza"),
            "target_type": entry["target_type"],
            "target_id": entry["target_id"],
            "ip_address": entry["ip_address"] if own else None,
            "user_agent": entry["user_agent"] if own else "",
            "metadata": entry["metadata"],
            "created_at": entry["created_at"],
        }


EXPORTERS = [
    Exporter(
        "profile.jsonl",
        "Your account and public profile: email, username, role, display name, bio, country, "
        "when you joined; your avatar picture is in the profile/ folder.",
        profile_rows,
        media=profile_media,
    ),
    Exporter(
        "account_security.jsonl",
        "Account security: whether two-factor authentication is on, your API keys (name, "
        "prefix, scopes, dates; never the secret) and the sign-in providers linked to you.",
        security_rows,
    ),
    Exporter(
        "audit_log.jsonl",
        "The security log about you: what you did (with the IP address and browser) and what "
        "staff or Veza did to your account.",
        audit_rows,
    ),
]
