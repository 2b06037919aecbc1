"""Signed, expiring, single-use tokens for email verification and password reset.

Each token signs the user id with a hash of the state it is meant to change (the verification
flag and address; the password hash and last login). Once that state changes the hash no longer
matches, so a token works once, without storing anything.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.crypto import constant_time_compare, salted_hmac

from apps.accounts.models import User

_VERIFY_SALT = "veza.accounts.verify-email"
_RESET_SALT = "veza.accounts.password-reset"


def _state_hash(salt: str, value: str) -> str:
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()[:32]


def _verify_state(user: User) -> str:
    return f"{user.pk}|{user.email.lower()}|{user.is_verified}"


def _reset_state(user: User) -> str:
    login = "" if user.last_login is None else user.last_login.replace(microsecond=0).isoformat()
    return f"{user.pk}|{user.password}|{login}|{user.email.lower()}"


def _make(user: User, salt: str, state: str) -> str:
    return signing.dumps({"u": str(user.pk), "h": _state_hash(salt, state)}, salt=salt)


def _check(token: str, salt: str, max_age: int, state_of) -> User | None:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
        user = User.objects.get(pk=payload["u"], is_active=True)
    except (
        signing.BadSignature,
        DjangoValidationError,
        KeyError,
        TypeError,
        ValueError,
        User.DoesNotExist,
    ):
        return None
    if not constant_time_compare(payload.get("h", ""), _state_hash(salt, state_of(user))):
        return None
    return user


def email_verification_token_make(user: User) -> str:
    return _make(user, _VERIFY_SALT, _verify_state(user))


def email_verification_token_check(token: str) -> User | None:
    return _check(token, _VERIFY_SALT, settings.EMAIL_VERIFICATION_TIMEOUT, _verify_state)


def password_reset_token_make(user: User) -> str:
    return _make(user, _RESET_SALT, _reset_state(user))


def password_reset_token_check(token: str) -> User | None:
    return _check(token, _RESET_SALT, settings.PASSWORD_RESET_TIMEOUT, _reset_state)
