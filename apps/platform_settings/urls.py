from django.urls import path

from apps.platform_settings import apis

urlpatterns = [
    path("features", apis.FeaturesApi.as_view(), name="features"),
    path("admin/maintenance", apis.MaintenanceApi.as_view(), name="admin-maintenance"),
]
