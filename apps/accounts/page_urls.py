"""The server pages the verification and password-reset emails link to (apps.accounts.views),
at the paths of shared/API.md's Operations contract: ``/verify-email``, ``/reset-password``."""

from django.urls import path

from apps.accounts import views

urlpatterns = [
    path("verify-email", views.VerifyEmailPageView.as_view(), name="page-verify-email"),
    path("reset-password", views.PasswordResetPageView.as_view(), name="page-reset-password"),
]
