"""Sign-up and email verification."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.exceptions import InvalidToken
from apps.accounts.models import Profile, User
from apps.accounts.services.sessions import credentials_revoke
from apps.accounts.tokens import email_verification_token_check, email_verification_token_make
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record
from veza.emails import email_send_on_commit
from veza.normalization import email_normalize


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


def _registration_attempt_notify(*, owner: User, meta: RequestMeta) -> None:
    audit_record(
        action="user.register_email_taken",
        actor=None,
        target=owner,
        meta=meta,
        metadata={"ip_address": meta.ip_address or ""},
    )
    email_send_on_commit(
        template="register_attempt",
        to=owner.email,
        context={
            "username": owner.username,
            "reset_link": f"{settings.FRONTEND_URL}/reset-password",
        },
    )


def _unsaved_account(*, email: str, username: str) -> User:
    """What a fresh account would look like: the answer for an address that is taken, so that
    nobody learns from the registration endpoint which addresses have accounts."""
    user = User(
        id=uuid.uuid4(),
        email=User.objects.normalize_email(email),
        username=username,
        date_joined=timezone.now(),
    )
    user.profile = Profile(user=user)
    return user


@transaction.atomic
def user_register(*, email: str, username: str, password: str, meta: RequestMeta) -> User:
    """Create an unverified ``user`` account and send the verification email.

    An address that already has an account (compared under ``email_normalize``) gets the very
    same 201 answer, built from the submitted values, and no row: the address's owner is emailed
    that someone tried to register with it instead. The password is still validated and hashed
    on that path, so neither the body nor the timing tells the two apart. Usernames are public,
    so a taken one is still a field error.

    The unique constraints are the real guard; the checks before them give the common case its
    answer.
    """
    errors: dict[str, list[str]] = {}
    if _username_taken(username):
        errors["username"] = ["This username is taken."]
    candidate = User(email=email, username=username)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(details=errors)

    owner = User.objects.filter(email_normalized=email_normalize(email)).first()
    if owner is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, username=username, password=password)
        except IntegrityError as exc:
            # A concurrent registration won the race for the username or the address.
            if _username_taken(username):
                raise ValidationFailed(details={"username": ["This username is taken."]}) from exc
            owner = User.objects.filter(email_normalized=email_normalize(email)).first()
            if owner is None:
                raise
        else:
            audit_record(action="user.register", actor=user, target=user, meta=meta)
            _verification_email_queue(user)
            return user

    make_password(password)  # the same work as creating the account
    _registration_attempt_notify(owner=owner, meta=meta)
    return _unsaved_account(email=email, username=username)


@transaction.atomic
def email_verification_confirm(
    *, token: str, caller: User | None = None, meta: RequestMeta
) -> User:
    """Mark the address verified (the link proves control of the mailbox).

    Whoever clicks the link owns the address but did not necessarily set the account up: an
    address can be registered by someone else. Unless the click comes with a bearer token of
    this very account (the person who set the password is the one verifying), every session,
    access token and API key of the account ends, and any 2FA device or OAuth link set up while
    the address was unproven is removed; the holder signs in again. The audit row lists what
    was revoked.
    """
    user = email_verification_token_check(token)
    if user is None:
        raise InvalidToken()
    # Conditional update: two clicks on the same link verify once.
    updated = User.objects.filter(pk=user.pk, is_verified=False).update(is_verified=True)
    if not updated:
        raise InvalidToken()
    user.is_verified = True
    verified_by_holder = caller is not None and caller.pk == user.pk
    metadata: dict = {"verified_by_signed_in_holder": verified_by_holder}
    if not verified_by_holder:
        metadata.update(credentials_revoke(user=user, everything=True).as_metadata())
    audit_record(action="user.verify_email", actor=user, target=user, meta=meta, metadata=metadata)
    return user


def email_verification_resend(*, email: str) -> None:
    """Send a fresh link if the address belongs to an unverified account. Silent otherwise."""
    user = User.objects.filter(
        email_normalized=email_normalize(email), is_active=True, is_verified=False
    ).first()
    if user is not None:
        _verification_email_queue(user)
