"""Every write of the accounts domain. Views, the admin and tasks call these."""

from apps.accounts.services.api_keys import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    api_key_revoke_own,
    api_key_staff_update,
)
from apps.accounts.services.auth import (
    login_tokens,
    password_change,
    password_reset_confirm,
    password_reset_request,
    refresh_token_revoke,
    refresh_token_rotate,
)
from apps.accounts.services.chat import chat_token_issue
from apps.accounts.services.oauth import (
    oauth_callback,
    oauth_provider_get,
    oauth_start,
    oauth_state_fail,
    oauth_states_prune,
    oauth_tokens_encrypt_all,
    redirect_uri_validate,
    redirect_with_fragment,
)
from apps.accounts.services.registration import (
    email_verification_confirm,
    email_verification_resend,
    user_register,
)
from apps.accounts.services.roles import UpgradeResult, creator_upgrade, user_role_assign
from apps.accounts.services.sessions import (
    RevokedCredentials,
    credentials_revoke,
    refresh_tokens_revoke_all,
    session_tokens_issue,
)
from apps.accounts.services.two_factor import (
    otp_verify,
    totp_secret_base32,
    two_factor_disable,
    two_factor_enable,
    two_factor_is_enabled,
    two_factor_setup,
)
from apps.accounts.services.users import (
    user_staff_create,
    user_staff_update,
    user_update,
    users_deactivate,
    users_mark_verified,
)

__all__ = [
    "RevokedCredentials",
    "UpgradeResult",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "api_key_revoke_own",
    "api_key_staff_update",
    "chat_token_issue",
    "creator_upgrade",
    "credentials_revoke",
    "email_verification_confirm",
    "email_verification_resend",
    "login_tokens",
    "oauth_callback",
    "oauth_provider_get",
    "oauth_start",
    "oauth_state_fail",
    "oauth_states_prune",
    "oauth_tokens_encrypt_all",
    "otp_verify",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "redirect_uri_validate",
    "redirect_with_fragment",
    "refresh_token_revoke",
    "refresh_token_rotate",
    "refresh_tokens_revoke_all",
    "session_tokens_issue",
    "totp_secret_base32",
    "two_factor_disable",
    "two_factor_enable",
    "two_factor_is_enabled",
    "two_factor_setup",
    "user_register",
    "user_role_assign",
    "user_staff_create",
    "user_staff_update",
    "user_update",
    "users_deactivate",
    "users_mark_verified",
]
