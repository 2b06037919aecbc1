"""Sign-up and email verification."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from apps.accounts.exceptions import InvalidToken
from apps.accounts.models import User
from apps.accounts.services.audit import RequestMeta, audit_record
from apps.accounts.tokens import email_verification_token_check, email_verification_token_make
from veza.api.exceptions import ValidationFailed
from veza.emails import email_send_on_commit
from veza.normalization import email_normalize


def _email_taken(email: str) -> bool:
    return User.objects.filter(email_normalized=email_normalize(email)).exists()


def _username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def _verification_email_queue(user: User) -> None:
    token = email_verification_token_make(user)
    email_send_on_commit(
        template="verify_email",
        to=user.email,
        context={
            "username": user.username,
            "link": f"{settings.FRONTEND_URL}/verify-email?token={token}",
        },
    )


@transaction.atomic
def user_register(*, email: str, username: str, password: str, meta: RequestMeta) -> User:
    """Create an unverified ``user`` account and send the verification email.

    The case-insensitive unique constraints are the real guard; the checks before them only
    give the common case a field-level message.
    """
    errors: dict[str, list[str]] = {}
    if _email_taken(email):
        errors["email"] = ["An account with this email already exists."]
    if _username_taken(username):
        errors["username"] = ["This username is taken."]
    candidate = User(email=email, username=username)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(details=errors)

    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, username=username, password=password)
    except IntegrityError as exc:
        # A concurrent registration with the same email or username won the race.
        raise ValidationFailed(
            details={"email": ["An account with this email or username already exists."]}
        ) from exc

    audit_record(action="user.register", actor=user, target=user, meta=meta)
    _verification_email_queue(user)
    return user


@transaction.atomic
def email_verification_confirm(*, token: str, meta: RequestMeta) -> User:
    user = email_verification_token_check(token)
    if user is None:
        raise InvalidToken()
    # Conditional update: two clicks on the same link verify once.
    updated = User.objects.filter(pk=user.pk, is_verified=False).update(is_verified=True)
    if not updated:
        raise InvalidToken()
    user.is_verified = True
    audit_record(action="user.verify_email", actor=user, target=user, meta=meta)
    return user


def email_verification_resend(*, email: str) -> None:
    """Send a fresh link if the address belongs to an unverified account. Silent otherwise."""
    user = User.objects.filter(
        email_normalized=email_normalize(email), is_active=True, is_verified=False
    ).first()
    if user is not None:
        _verification_email_queue(user)
