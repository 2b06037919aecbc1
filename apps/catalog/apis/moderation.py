"""Reports to the moderators (the decisions are taken in the admin)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog import selectors, services
from apps.catalog.apis.common import share_token_from_request
from apps.catalog.serializers import ReportInputSerializer, ReportOutputSerializer
from veza.api.parsers import JSONParser
from veza.audit import RequestMeta


class TrackReportApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["tracks"],
        request=ReportInputSerializer,
        responses={201: ReportOutputSerializer, 200: ReportOutputSerializer},
        summary="Report a track to the moderators (one open report per person and track)",
        description=(
            "Files a report for the moderators (201); a second open report of the same track "
            "by the same person returns the existing one (200)."
        ),
    )
    def post(self, request, track_id):
        access = selectors.track_access(
            track_id=track_id, user=request.user, share_token=share_token_from_request(request)
        )
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report, created = services.report_file(
            track=access.track,
            reporter=request.user,
            **data.validated_data,
            meta=RequestMeta.from_request(request),
        )
        return Response(
            ReportOutputSerializer(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
