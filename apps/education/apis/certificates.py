"""Public certificate verification (shared/API.md, GET /api/v1/certificates/{code}).

JSON for programs; a plain HTML page for people who click the link in a browser (content
negotiation on ``Accept``: a client that prefers ``text/html`` gets the page). Rate limited per
client IP; the lookup is one query.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.education import selectors
from apps.education.serializers import CertificateOutputSerializer
from veza.api import ratelimit
from veza.api.exceptions import NotFound
from veza.api.renderers import JSONRenderer
from veza.api.schema import error_response

TAGS = ["education"]


def _prefers_html(request) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    html, json = accept.find("text/html"), accept.find("application/json")
    return html != -1 and (json == -1 or html < json)


def _rate_limit(request) -> None:
    limit, window = settings.EDUCATION_CERTIFICATE_VERIFY_RATE
    usage = ratelimit.window_hit(
        key=f"certificate-verify:{ratelimit.client_ip(request)}", limit=limit, window=window
    )
    if not usage.allowed:
        raise ratelimit.rate_limited(usage.retry_after())


class CertificateVerifyApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    extra_error_codes = ("429",)

    def perform_content_negotiation(self, request, force=False):
        # A browser's Accept (text/html) gets the page from get(); DRF's negotiation only
        # chooses the JSON renderer for everything else, never a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=TAGS,
        responses={
            (200, "application/json"): CertificateOutputSerializer,
            (200, "text/html"): OpenApiResponse(
                response=OpenApiTypes.STR, description="The same, as a page (Accept: text/html)."
            ),
            404: error_response("NOT_FOUND: no certificate has this code."),
            429: error_response(
                "RATE_LIMITED: too many lookups from this address, see Retry-After."
            ),
        },
        summary="Verify a certificate: who, which course, lessons, duration, valid or revoked",
        description=(
            "Public verification of a certificate code: the name as issued, the course, its "
            "creator, lessons, duration, date and whether it is valid or revoked. Browsers "
            "(Accept: text/html) get an HTML page. Unknown code: 404; lookups are rate "
            "limited per client IP (429)."
        ),
    )
    def get(self, request, code):
        _rate_limit(request._request)
        wants_html = _prefers_html(request._request)
        try:
            certificate = selectors.certificate_by_code(code=code)
        except NotFound:
            if not wants_html:
                raise
            response = render(
                request._request, "education/certificate.html", {"certificate": None}, status=404
            )
            response.veza_keep_body = True
            return response
        if wants_html:
            response = render(
                request._request, "education/certificate.html", {"certificate": certificate}
            )
            response["Vary"] = "Accept"
            return response
        response = Response(
            CertificateOutputSerializer(certificate, context={"request": request}).data
        )
        response["Vary"] = "Accept"
        return response
