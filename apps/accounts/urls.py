from django.urls import path

from apps.accounts import apis

urlpatterns = [
    path("auth/register", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/verify-email", apis.VerifyEmailApi.as_view(), name="auth-verify-email"),
    path(
        "auth/verify-email/resend",
        apis.VerifyEmailResendApi.as_view(),
        name="auth-verify-email-resend",
    ),
    path("auth/login", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/token/refresh", apis.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/password-reset", apis.PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm",
        apis.PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("users/me", apis.MeApi.as_view(), name="users-me"),
    path("users/me/password", apis.PasswordChangeApi.as_view(), name="users-me-password"),
    path(
        "users/me/upgrade-creator", apis.UpgradeCreatorApi.as_view(), name="users-upgrade-creator"
    ),
    path("auth/2fa", apis.TwoFactorStatusApi.as_view(), name="auth-2fa-status"),
    path("auth/2fa/setup", apis.TwoFactorSetupApi.as_view(), name="auth-2fa-setup"),
    path("auth/2fa/enable", apis.TwoFactorEnableApi.as_view(), name="auth-2fa-enable"),
    path("auth/2fa/disable", apis.TwoFactorDisableApi.as_view(), name="auth-2fa-disable"),
    path("auth/oauth/<str:provider>/start", apis.OAuthStartApi.as_view(), name="auth-oauth-start"),
    path(
        "auth/oauth/<str:provider>/callback",
        apis.OAuthCallbackApi.as_view(),
        name="auth-oauth-callback",
    ),
    path("developer/api-keys", apis.ApiKeyListCreateApi.as_view(), name="developer-api-keys"),
    path(
        "developer/api-keys/<uuid:key_id>",
        apis.ApiKeyDetailApi.as_view(),
        name="developer-api-key-detail",
    ),
    path("chat/token", apis.ChatTokenApi.as_view(), name="chat-token"),
]
