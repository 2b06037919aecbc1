"""Account edits: the owner's own profile, and what staff do to accounts from the admin."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from apps.accounts.models import Profile, User
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record

USER_FIELDS = ("username",)
PROFILE_FIELDS = ("display_name", "bio", "avatar", "country")


@transaction.atomic
def user_update(*, user: User, data: dict) -> User:
    """Apply a partial update of the account and its profile (already shape-validated)."""
    user_changes = {field: data[field] for field in USER_FIELDS if field in data}
    if "username" in user_changes and (
        User.objects.filter(username__iexact=user_changes["username"]).exclude(pk=user.pk).exists()
    ):
        raise ValidationFailed(details={"username": ["This username is taken."]})
    if user_changes:
        for field, value in user_changes.items():
            setattr(user, field, value)
        try:
            with transaction.atomic():
                user.save(update_fields=list(user_changes))
        except IntegrityError as exc:
            raise ValidationFailed(details={"username": ["This username is taken."]}) from exc

    profile_changes = data.get("profile") or {}
    if profile_changes:
        profile, _ = Profile.objects.get_or_create(user=user)
        for field in PROFILE_FIELDS:
            if field in profile_changes:
                setattr(profile, field, profile_changes[field])
        profile.save()
        user.profile = profile
    return user


@transaction.atomic
def users_mark_verified(*, users, actor: User, meta: RequestMeta) -> list[User]:
    """Staff vouch for these addresses. Only accounts still unverified change; one conditional
    update, then one audit entry ``user.verify_email_by_staff`` per account changed."""
    pending = list(
        User.objects.select_for_update().filter(pk__in=[u.pk for u in users], is_verified=False)
    )
    User.objects.filter(pk__in=[u.pk for u in pending]).update(is_verified=True)
    for user in pending:
        audit_record(action="user.verify_email_by_staff", actor=actor, target=user, meta=meta)
    return pending


@transaction.atomic
def users_deactivate(*, users, actor: User, meta: RequestMeta, reason: str = "") -> list[User]:
    """Staff switch these accounts off: they can no longer log in, and their tokens and API
    keys stop authenticating (both check ``is_active``). Staff cannot deactivate themselves.
    Audited as ``user.deactivate`` per account changed, with the staff member's reason."""
    active = list(
        User.objects.select_for_update()
        .filter(pk__in=[u.pk for u in users], is_active=True)
        .exclude(pk=actor.pk)
    )
    User.objects.filter(pk__in=[u.pk for u in active]).update(is_active=False)
    for user in active:
        audit_record(
            action="user.deactivate",
            actor=actor,
            target=user,
            meta=meta,
            metadata={"reason": reason} if reason else {},
        )
    return active


@transaction.atomic
def user_staff_create(*, user: User, actor: User, meta: RequestMeta) -> User:
    """An account staff created in the admin (the form set its password): saved with its
    profile, audited as ``user.create``."""
    user.save()
    Profile.objects.get_or_create(user=user)
    audit_record(action="user.create", actor=actor, target=user, meta=meta)
    return user


@transaction.atomic
def user_staff_update(*, user: User, fields: list[str], actor: User, meta: RequestMeta) -> User:
    """Staff edited these columns of an account in the admin. Only they are written, so a
    concurrent self-service write (a creator upgrade's timestamp) survives; audited as
    ``user.admin_update`` with the field names. The role never comes here: it goes through
    :func:`user_role_assign`."""
    if fields:
        user.save(update_fields=fields)
        audit_record(
            action="user.admin_update",
            actor=actor,
            target=user,
            meta=meta,
            metadata={"fields": sorted(fields)},
        )
    return user
