from django.urls import path

from apps.gdpr import apis

urlpatterns = [
    # Shadows the accounts route of the same path (see AccountApi): listed before it.
    path("users/me", apis.AccountApi.as_view(), name="users-me"),
    path("users/me/export", apis.ExportRequestApi.as_view(), name="users-me-export"),
    path("users/me/exports", apis.ExportListApi.as_view(), name="users-me-exports"),
    path(
        "users/me/exports/<uuid:export_id>/download",
        apis.ExportDownloadApi.as_view(),
        name="users-me-export-download",
    ),
]
