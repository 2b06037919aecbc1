"""Accounts: every credential ends and every identifying column is anonymised now; the
audit log's IP addresses and browsers go at the hard delete. Runs last, so the audit entries
the other steps write in the user's name are anonymised too."""

from django.core.files.storage import default_storage
from django.db.models import Q
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.accounts.models import ApiKey, AuditLog, Profile
from apps.accounts.services import credentials_revoke
from apps.gdpr.erasure.base import ErasureContext, ErasureStep

#: What other people see of a deleted account (messages, followers, playlists).
DELETED_DISPLAY_NAME = "Deleted user"
DELETED_EMAIL_DOMAIN = "deleted.invalid"


def account_anonymise(ctx: ErasureContext) -> dict:
    user = ctx.user
    revoked = credentials_revoke(user=user, everything=True)
    short = ctx.deletion.pk.hex
    profile = Profile.objects.filter(user=user).first()
    if profile is not None and profile.avatar:
        default_storage.delete(profile.avatar.name)
    user.email = f"deleted-{short}@{DELETED_EMAIL_DOMAIN}"
    user.username = f"deleted-{short[:12]}"
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save(
        update_fields=["email", "username", "password", "is_active", "is_staff", "is_superuser"]
    )
    Profile.objects.filter(user=user).update(
        display_name=DELETED_DISPLAY_NAME, bio="", avatar="", country=""
    )
    # A key's name is whatever the user typed ("Jane's laptop"); the key itself is revoked.
    ApiKey.objects.filter(user=user).exclude(name="revoked").update(name="revoked")
    labels = AuditLog.objects.filter(actor=user).exclude(actor_label=ctx.pseudonym)
    return {
        "sessions_revoked": revoked.sessions,
        "api_keys_revoked": len(revoked.api_keys),
        "two_factor_devices_removed": revoked.two_factor_devices,
        "oauth_links_removed": len(revoked.oauth_links),
        "audit_labels_anonymised": labels.update(actor_label=ctx.pseudonym),
    }


def audit_trace_erase(ctx: ErasureContext) -> dict:
    entries = AuditLog.objects.filter(
        Q(actor=ctx.user) | Q(target_type="accounts.user", target_id=str(ctx.user.pk))
    ).filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))
    erased = entries.update(ip_address=None, user_agent="")
    # Deleting a track records its title; the titles of what the user deleted go too.
    titled = AuditLog.objects.filter(actor=ctx.user, metadata__has_key="title")
    for entry in titled.only("id", "metadata").iterator(chunk_size=500):
        entry.metadata.pop("title", None)
        AuditLog.objects.filter(pk=entry.pk).update(metadata=entry.metadata)
    tokens, _ = OutstandingToken.objects.filter(user=ctx.user).delete()
    return {"audit_entries_erased": erased, "session_records_deleted": tokens}


STEPS = [
    ErasureStep(
        "accounts",
        now=account_anonymise,
        final=audit_trace_erase,
        erased_now=(
            "You cannot log in any more: your password no longer works and every session, "
            "access token, API key, two-factor device and linked sign-in provider is revoked.",
            "Your email address, username, display name, bio, avatar and country are anonymised.",
        ),
        erased_later=("IP addresses and browsers in the security log are erased.",),
    ),
]
