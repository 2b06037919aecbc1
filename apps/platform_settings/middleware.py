"""Maintenance: 503 ``MAINTENANCE`` to everything but health and the admin."""

from __future__ import annotations

from apps.platform_settings import selectors, state
from veza.api.exceptions import ErrorCode, error_json_response

MAINTENANCE_EXEMPT_PREFIXES = ("/api/v1/health", "/api/v1/admin/", "/admin/")


class MaintenanceMiddleware:
    """503 ``MAINTENANCE`` with ``Retry-After`` to everything but health and the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        exempt = path.startswith(MAINTENANCE_EXEMPT_PREFIXES) or path == "/api/v1/admin"
        if not exempt and state.maintenance_enabled():
            status = selectors.maintenance_status()
            response = error_json_response(
                503, ErrorCode.MAINTENANCE, status["message"] or "Maintenance."
            )
            response["Retry-After"] = str(status["retry_after"])
            return response
        return self.get_response(request)
