"""Self-service profile edits."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from apps.accounts.models import Profile, User
from veza.api.exceptions import ValidationFailed

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
