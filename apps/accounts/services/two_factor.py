"""Two-factor authentication with django-otp (shared/API.md, Accounts: /auth/2fa/*).

TOTP through django-otp's ``TOTPDevice`` (it refuses a code at or before the last accepted
time step, so a replayed code fails; verification runs under a row lock so two parallel uses of
one code succeed once). Backup codes through our :class:`BackupCodeDevice` (hashed, single use).
Both devices throttle failures with exponential back-off (django-otp ``ThrottlingMixin``); a
throttled attempt answers 429 ``RATE_LIMITED`` with ``Retry-After``.
"""

from __future__ import annotations

import base64
import re
import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.exceptions import (
    EmailNotVerified,
    InvalidOtp,
    InvalidPassword,
    TwoFactorAlreadyEnabled,
    TwoFactorNotEnabled,
    TwoFactorNotSetUp,
)
from apps.accounts.models import BackupCode, BackupCodeDevice, User
from veza.api import ratelimit
from veza.api.ratelimit import rate_limited
from veza.audit import RequestMeta, audit_record

BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 10
# Crockford-like: no 0/O, 1/I/L, U; ~50 bits per code, stretched below.
_BACKUP_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
_TOTP_RE = re.compile(r"^\d{6}$")


class BackupCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds than passwords: codes are random (~50 bits), and a login may
    check all ten, so 20k rounds (~ms each) keep an offline attack infeasible and login fast."""

    algorithm = "pbkdf2_sha256_backup"
    iterations = 20_000


_hasher = BackupCodeHasher()


def _backup_code_normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _backup_code_new() -> str:
    raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def two_factor_is_enabled(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _verified_owner_lock(user: User) -> User:
    """2FA locks an account to a device: only someone who proved they own the address may set
    it up, or a squatter who registered another person's email could lock them out."""
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None or not locked.is_verified:
        raise EmailNotVerified()
    return locked


@transaction.atomic
def two_factor_setup(*, user: User) -> TOTPDevice:
    """A new, unconfirmed TOTP device (replacing any earlier unconfirmed one)."""
    _verified_owner_lock(user)
    if two_factor_is_enabled(user=user):
        raise TwoFactorAlreadyEnabled()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def backup_codes_generate(*, user: User) -> list[str]:
    """Ten fresh codes replacing any earlier ones; only hashes are stored."""
    BackupCodeDevice.objects.filter(user=user).delete()
    device = BackupCodeDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [_backup_code_new() for _ in range(BACKUP_CODE_COUNT)]
    BackupCode.objects.bulk_create(
        [
            BackupCode(
                device=device,
                code_hash=_hasher.encode(_backup_code_normalize(code), _hasher.salt()),
            )
            for code in codes
        ]
    )
    return codes


def backup_code_consume(*, device: BackupCodeDevice, code: str) -> bool:
    """Use one unused code matching ``code``; the conditional update makes it single use even
    under concurrent requests."""
    normalized = _backup_code_normalize(code)
    if len(normalized) != BACKUP_CODE_LENGTH:
        return False
    for candidate in device.codes.filter(used_at__isnull=True).only("id", "code_hash"):
        if _hasher.verify(normalized, candidate.code_hash):
            return bool(
                BackupCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
            )
    return False


def _throttle_check(device) -> None:
    allowed, info = device.verify_is_allowed()
    if not allowed and info and info.get("locked_until"):
        wait = (info["locked_until"] - timezone.now()).total_seconds()
        raise rate_limited(wait, "Too many wrong codes. Try again later.")


def otp_device_verify(*, user: User, code: str) -> TOTPDevice | BackupCodeDevice | None:
    """The device of ``user`` that accepts ``code`` now, or None.

    The code's shape picks the kind of device, so nobody has to choose one: six digits are an
    authenticator code (each confirmed authenticator of the account is tried), anything else a
    backup code. Each device row is locked while it verifies, so a code cannot be accepted
    twice by parallel requests. A device in its failure back-off (django-otp's throttling) is
    not asked; when every device of that kind is backing off, 429 ``RATE_LIMITED`` says how
    long to wait. The transaction commits before that is raised, keeping the failure counts.
    """
    code = (code or "").strip()
    model = TOTPDevice if _TOTP_RE.match(code) else BackupCodeDevice
    throttled: list[ratelimit.RateLimited] = []
    with transaction.atomic():
        devices = list(
            model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        )
        for device in devices:
            try:
                _throttle_check(device)
            except ratelimit.RateLimited as exc:
                throttled.append(exc)
                continue
            if device.verify_token(code):
                return device
    if devices and len(throttled) == len(devices):
        raise throttled[0]
    return None


def otp_verify(*, user: User, code: str) -> bool:
    """True when ``code`` is a current TOTP code or an unused backup code of ``user``
    (:func:`otp_device_verify`)."""
    return otp_device_verify(user=user, code=code) is not None


def two_factor_enable(*, user: User, code: str, meta: RequestMeta) -> list[str]:
    """Confirm the set-up device with a current code; returns the backup codes (shown once).

    A wrong code is reported after the transaction commits, so the throttle's failure count
    is kept.
    """
    with transaction.atomic():
        _verified_owner_lock(user)
        if two_factor_is_enabled(user=user):
            raise TwoFactorAlreadyEnabled()
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None:
            raise TwoFactorNotSetUp()
        _throttle_check(device)
        if device.verify_token(code.strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = backup_codes_generate(user=user)
            audit_record(action="user.2fa_enable", actor=user, target=user, meta=meta)
            return codes
    raise InvalidOtp(status_code=400)


def two_factor_disable(*, user: User, password: str, code: str, meta: RequestMeta) -> None:
    """Turn 2FA off with the password and a current code (TOTP or backup).

    A wrong password or code counts against the account's failed-login limit (shared with the
    login): past it, 429 even with the right ones.
    """
    account = user.email_normalized
    ratelimit.account_failures_check(account=account)
    if not user.check_password(password):
        ratelimit.account_failure_record(account=account)
        raise InvalidPassword()
    if not two_factor_is_enabled(user=user):
        raise TwoFactorNotEnabled()
    if not otp_verify(user=user, code=code):
        ratelimit.account_failure_record(account=account)
        raise InvalidOtp(status_code=400)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        BackupCodeDevice.objects.filter(user=user).delete()
        audit_record(action="user.2fa_disable", actor=user, target=user, meta=meta)


@transaction.atomic
def two_factor_reset(
    *, user: User, actor: User | None, meta: RequestMeta, reason: str = ""
) -> bool:
    """Staff turn 2FA off for someone who lost their device (after checking who they are
    out of band). Audited; returns whether anything was removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_backup, _ = BackupCodeDevice.objects.filter(user=user).delete()
    if removed or removed_backup:
        audit_record(
            action="user.2fa_reset_by_staff",
            actor=actor,
            target=user,
            meta=meta,
            metadata={"reason": reason} if reason else {},
        )
    return bool(removed or removed_backup)
