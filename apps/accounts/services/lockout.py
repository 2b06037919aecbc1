"""The per-account failed-login limit (shared/API.md: login is rate limited per account)."""

from __future__ import annotations

from veza.api import ratelimit


def account_failures_check(*, account: str) -> None:
    """429 once ``account`` (a normalised email) is past the failed-login limit.

    One bucket per account for every place that checks a password or a second factor: the API
    login, the admin login, the password change and 2FA disable, so a stolen token or session
    cannot be used as a faster password oracle than the login itself.
    """
    ratelimit.usage_peek(None, group="login_account_failures", value=account)


def account_failure_record(*, account: str) -> None:
    ratelimit.usage_hit(None, group="login_account_failures", value=account)
