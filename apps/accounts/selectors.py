"""Reads of the accounts domain."""

from apps.accounts.models import Profile, User


def user_with_profile(*, user: User) -> User:
    """The caller's account with its profile loaded (created if an old row lacks one)."""
    try:
        user.profile  # noqa: B018  (loads the relation)
    except Profile.DoesNotExist:
        Profile.objects.get_or_create(user=user)
        user = User.objects.select_related("profile").get(pk=user.pk)
    return user
