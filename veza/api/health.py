"""``GET /api/v1/health``: liveness plus the database's answer (shared/API.md, Platform)."""

import logging

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from veza import __version__
from veza.api.exceptions import ServiceUnavailable
from veza.api.views import PublicApiMixin

logger = logging.getLogger(__name__)


class HealthOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok"])
    version = serializers.CharField()
    database = serializers.CharField(help_text='"ok" when the database answered.')


class HealthApi(PublicApiMixin, APIView):
    @extend_schema(tags=["platform"], responses={200: HealthOutputSerializer}, summary="Health")
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
