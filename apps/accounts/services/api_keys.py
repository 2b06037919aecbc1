"""Integrator API keys (shared/API.md "API keys: scopes and rate limits").

Format: ``vz_live_<12-char lookup>_<40-char secret>``, base62. The ``vz_live_`` vendor prefix
lets secret scanners recognise a leaked key; the lookup part (stored in clear as ``prefix``)
finds the row with one indexed query; the secret is stored as SHA-256 and compared in
constant time. Not djangorestframework-api-key: it is a permission class without an owner
(``request.user`` stays anonymous), scopes, usage tracking or a vendor prefix, which are the
point here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.exceptions import ApiKeyLimitReached, ApiKeyScopeExceeded, EmailNotVerified
from apps.accounts.models import ApiKey, ApiScope, User
from veza.api.exceptions import NotFound, ValidationFailed
from veza.audit import RequestMeta, audit_record

KEY_PREFIX = "vz_live_"
LOOKUP_LENGTH = 12
SECRET_LENGTH = 40
LAST_USED_RESOLUTION = timedelta(minutes=1)
_ALPHABET = string.ascii_letters + string.digits


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _parse(raw: str) -> tuple[str, str] | None:
    if not raw.startswith(KEY_PREFIX):
        return None
    lookup, _, secret = raw[len(KEY_PREFIX) :].partition("_")
    if len(lookup) != LOOKUP_LENGTH or len(secret) != SECRET_LENGTH:
        return None
    return KEY_PREFIX + lookup, secret


def _scopes_clean(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown or not scopes:
        raise ValidationFailed(
            details={"scopes": ['Choose one or more of "read", "write", "admin".']}
        )
    return [scope for scope in ApiScope.values if scope in scopes]


_RANK = {ApiScope.READ: 1, ApiScope.WRITE: 2, ApiScope.ADMIN: 3}


def _scope_rank(scopes) -> int:
    """read < write (which includes reads) < admin (everything)."""
    return max((_RANK.get(scope, 0) for scope in scopes), default=0)


@transaction.atomic
def api_key_create(
    *,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    creating_key: ApiKey | None = None,
    meta: RequestMeta,
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the full secret, which is never retrievable again.

    Only for a verified address (403 ``EMAIL_NOT_VERIFIED``), and at most
    ``API_KEYS_MAX_PER_USER`` live keys per account (409 ``API_KEY_LIMIT_REACHED``): each key
    has its own hourly budget. A key used to create another key cannot grant more than it has
    (the API refuses keys altogether; this guards other callers).
    """
    scopes = _scopes_clean(scopes)
    if creating_key is not None and _scope_rank(scopes) > _scope_rank(creating_key.scopes):
        raise ApiKeyScopeExceeded()
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(details={"expires_at": ["Must be in the future."]})
    # The owner's row lock serialises creations per account: parallel requests cannot pass the
    # cap together, and a key is never created for an address its holder has not proven.
    owner = User.objects.select_for_update().filter(pk=user.pk).first()
    if owner is None or not owner.is_verified:
        raise EmailNotVerified()
    limit = settings.API_KEYS_MAX_PER_USER
    active = (
        ApiKey.objects.filter(user=user, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .count()
    )
    if active >= limit:
        raise ApiKeyLimitReached(details={"limit": limit})
    lookup, secret = _random(LOOKUP_LENGTH), _random(SECRET_LENGTH)
    api_key = ApiKey.objects.create(
        user=user,
        name=name,
        prefix=KEY_PREFIX + lookup,
        secret_hash=_secret_hash(secret),
        scopes=scopes,
        expires_at=expires_at,
        created_at=now,
    )
    audit_record(
        action="api_key.create",
        actor=user,
        target=api_key,
        meta=meta,
        metadata={"prefix": api_key.prefix, "scopes": scopes},
    )
    return api_key, f"{KEY_PREFIX}{lookup}_{secret}"


def api_key_revoke(
    *, api_key: ApiKey, actor: User | None, meta: RequestMeta, reason: str = ""
) -> bool:
    """Revoke at once (the next request with it is refused). Conditional: audited once."""
    now = timezone.now()
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
    if updated:
        api_key.revoked_at = now
        audit_record(
            action="api_key.revoke",
            actor=actor,
            target=api_key,
            meta=meta,
            metadata={
                "prefix": api_key.prefix,
                "owner": str(api_key.user_id),
                **({"reason": reason} if reason else {}),
            },
        )
    return bool(updated)


def api_key_revoke_own(*, user: User, key_id, meta: RequestMeta) -> None:
    api_key = ApiKey.objects.filter(pk=key_id, user=user, revoked_at__isnull=True).first()
    if api_key is None or not api_key_revoke(api_key=api_key, actor=user, meta=meta):
        raise NotFound("No such API key.")


def api_key_authenticate(*, raw: str, now: datetime | None = None) -> ApiKey | None:
    """The live key for ``raw`` with its owner loaded, or None. One query on the hot path;
    ``last_used_at`` is written at most once a minute per key (conditional update)."""
    parsed = _parse(raw.strip())
    if parsed is None:
        return None
    prefix, secret = parsed
    try:
        api_key = ApiKey.objects.select_related("user").get(prefix=prefix)
    except ApiKey.DoesNotExist:
        return None
    if not hmac.compare_digest(api_key.secret_hash, _secret_hash(secret)):
        return None
    now = now or timezone.now()
    if api_key.is_revoked or api_key.is_expired(now) or not api_key.user.is_active:
        return None
    if api_key.last_used_at is None or api_key.last_used_at <= now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


@transaction.atomic
def api_key_staff_update(*, api_key: ApiKey, fields: list[str], actor, meta: RequestMeta) -> ApiKey:
    """Staff changed a key's editable settings (name, hourly limits, expiry) in the admin;
    audited as ``api_key.admin_update`` with the field names."""
    api_key.save()
    audit_record(
        action="api_key.admin_update",
        actor=actor,
        target=api_key,
        meta=meta,
        metadata={"fields": sorted(fields)},
    )
    return api_key
