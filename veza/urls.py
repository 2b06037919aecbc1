from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from veza.api.health import HealthApi
from veza.views import HomePageView

api_v1 = [
    path("health", HealthApi.as_view(), name="health"),
    # Before accounts: serves /users/me with deletion added (apps.gdpr.apis.AccountApi).
    path("", include("apps.gdpr.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.catalog.urls")),
    path("", include("apps.streaming.urls")),
    path("", include("apps.platform_settings.urls")),
    path("", include("apps.billing.urls")),
    path("", include("apps.education.urls")),
    path("", include("apps.messaging.urls")),
    path("", include("apps.distribution.urls")),
    path("", include("apps.analytics.urls")),
    path("", include("apps.webhooks.urls")),
]

urlpatterns = [
    path("", HomePageView.as_view(), name="home"),
    # The pages the verification and password-reset emails link to (default FRONTEND_URL).
    path("", include("apps.accounts.page_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "veza.api.errors.bad_request"
handler403 = "veza.api.errors.permission_denied"
handler404 = "veza.api.errors.page_not_found"
handler500 = "veza.api.errors.server_error"

admin.site.site_header = "Veza operations"
admin.site.site_title = "Veza admin"
admin.site.index_title = "Operations console"
