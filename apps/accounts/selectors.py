"""Reads of the accounts domain."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import ApiKey, BackupCode, Profile, User


def user_with_profile(*, user: User) -> User:
    """The caller's account with its profile loaded.

    Every account gets its profile when it is created; should a row lack one anyway, an empty,
    unsaved profile is shown (reads never write: the first profile edit creates the row).
    """
    try:
        user.profile  # noqa: B018  (loads the relation)
    except Profile.DoesNotExist:
        user.profile = Profile(user=user)
    return user


def api_keys_of_user(*, user: User):
    """The caller's live keys (revoked ones are gone for good), newest first. One query."""
    return ApiKey.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def two_factor_status(*, user: User) -> dict:
    """For the account settings page: every field has a value for every account, with or
    without 2FA (changelog: the 2FA status columns once answered 500)."""
    return {
        "enabled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "backup_codes_remaining": BackupCode.objects.filter(
            device__user=user, used_at__isnull=True
        ).count(),
    }
