"""Accounts API views, split by sub-domain; imported from here by ``apps.accounts.urls``."""

from apps.accounts.apis.api_keys import ApiKeyDetailApi, ApiKeyListCreateApi
from apps.accounts.apis.auth import (
    LoginApi,
    LogoutApi,
    MeApi,
    PasswordChangeApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
    PublicApi,
    RegisterApi,
    TokenRefreshApi,
    UpgradeCreatorApi,
    VerifyEmailApi,
    VerifyEmailResendApi,
)
from apps.accounts.apis.chat import ChatTokenApi
from apps.accounts.apis.oauth import OAuthCallbackApi, OAuthStartApi
from apps.accounts.apis.two_factor import (
    TwoFactorDisableApi,
    TwoFactorEnableApi,
    TwoFactorSetupApi,
    TwoFactorStatusApi,
)

__all__ = [
    "ApiKeyDetailApi",
    "ApiKeyListCreateApi",
    "ChatTokenApi",
    "LoginApi",
    "LogoutApi",
    "MeApi",
    "OAuthCallbackApi",
    "OAuthStartApi",
    "PasswordChangeApi",
    "PasswordResetApi",
    "PasswordResetConfirmApi",
    "PublicApi",
    "RegisterApi",
    "TokenRefreshApi",
    "TwoFactorDisableApi",
    "TwoFactorEnableApi",
    "TwoFactorSetupApi",
    "TwoFactorStatusApi",
    "UpgradeCreatorApi",
    "VerifyEmailApi",
    "VerifyEmailResendApi",
]
