"""``GET /api/v1/health``: liveness plus the database's answer (shared/API.md, Platform).

Probes (Docker's HEALTHCHECK, a load balancer, Kubernetes) call by IP, with a ``Host`` that
``ALLOWED_HOSTS`` rightly refuses. :class:`HealthCheckMiddleware` answers the health path before
anything validates the host, so a probe neither fails nor logs a ``DisallowedHost`` traceback.
The answer is the same small JSON whatever the host: status, version and the database's state.
"""

import logging

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from veza import __version__
from veza.api.exceptions import ServiceUnavailable
from veza.api.renderers import JSONRenderer
from veza.api.views import PublicApiMixin

logger = logging.getLogger(__name__)


class HealthOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok"])
    version = serializers.CharField()
    database = serializers.CharField(help_text='"ok" when the database answered.')


HEALTH_PATH = "/api/v1/health"


class JsonWhateverAccept(BaseContentNegotiation):
    """Health is JSON for every client: a browser's ``Accept: text/html`` gets it, not a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class HealthApi(PublicApiMixin, APIView):
    # JSON only: no browsable page, which would build absolute URLs from the Host header.
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonWhateverAccept

    @extend_schema(
        tags=["platform"],
        responses={200: HealthOutputSerializer},
        summary="Health",
        description=(
            "Liveness and database check for probes and load balancers. No authentication; "
            "answers whatever the Host header and even during maintenance. 503 "
            "SERVICE_UNAVAILABLE (with Retry-After) when the database does not answer."
        ),
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError as exc:
            logger.warning("Health check: database unreachable: %s", exc)
            raise ServiceUnavailable(
                "The database is unreachable.",
                details={"database": "unavailable", "version": __version__},
                headers={"Retry-After": "5"},
            ) from exc
        return Response({"status": "ok", "version": __version__, "database": "ok"})


_health_view = HealthApi.as_view()


class HealthCheckMiddleware:
    """Answers ``GET``/``HEAD /api/v1/health`` itself, before host validation.

    Placed before ``CommonMiddleware`` (the first to read ``request.get_host()``); nothing on
    this path reads the host, sessions or cookies, and the answer reveals nothing but the
    version. Every other request goes on untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            response = _health_view(request)
            response.render()
            return response
        return self.get_response(request)
