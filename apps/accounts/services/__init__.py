"""Every write of the accounts domain. Views, the admin and tasks call these."""

from apps.accounts.services.audit import RequestMeta, audit_record
from apps.accounts.services.auth import (
    login_tokens,
    password_change,
    password_reset_confirm,
    password_reset_request,
    refresh_token_revoke,
    refresh_token_rotate,
)
from apps.accounts.services.registration import (
    email_verification_confirm,
    email_verification_resend,
    user_register,
)
from apps.accounts.services.roles import UpgradeResult, creator_upgrade, user_role_assign
from apps.accounts.services.users import user_update

__all__ = [
    "RequestMeta",
    "UpgradeResult",
    "audit_record",
    "creator_upgrade",
    "email_verification_confirm",
    "email_verification_resend",
    "login_tokens",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "refresh_token_revoke",
    "refresh_token_rotate",
    "user_register",
    "user_role_assign",
    "user_update",
]
