"""Accounts background work."""

from celery import shared_task

from apps.accounts.services.oauth import oauth_states_prune


@shared_task(name="accounts.oauth_states_prune")
def oauth_states_prune_task() -> int:
    """Beat, every 15 minutes: expired OAuth sign-in states go (idempotent)."""
    return oauth_states_prune()
