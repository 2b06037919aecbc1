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
]
