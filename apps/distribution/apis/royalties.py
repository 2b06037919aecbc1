"""Royalty endpoints (shared/API.md, Distribution and royalties): the staff import, the caller's
aggregated royalties and the splits of their tracks."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import StaffTwoFactorLogin
from apps.distribution import selectors, services
from apps.distribution.serializers import (
    RoyaltyImportInputSerializer,
    RoyaltyImportSerializer,
    RoyaltyImportStatusSerializer,
    RoyaltyQuerySerializer,
    RoyaltySummarySerializer,
    SplitFilterSerializer,
    SplitInputSerializer,
    SplitSerializer,
)
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.api.schema import error_response
from veza.audit import RequestMeta

TAGS = ["royalties"]


FORBIDDEN = error_response(
    "PERMISSION_DENIED: staff only; TWO_FACTOR_LOGIN_REQUIRED: staff must sign in with a "
    "one-time code."
)


def _import_location(request, record) -> str:
    return request.build_absolute_uri(
        reverse("royalty-import-detail", kwargs={"import_id": record.pk})
    )


class RoyaltyImportApi(APIView):
    permission_classes = [IsAuthenticated, StaffTwoFactorLogin]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": RoyaltyImportInputSerializer},
        responses={
            201: RoyaltyImportSerializer,
            200: RoyaltyImportSerializer,
            202: OpenApiResponse(
                response=RoyaltyImportStatusSerializer,
                description=(
                    "A report bigger than ROYALTY_IMPORT_SYNC_MAX_BYTES: stored and queued "
                    "(`status` queued, counts 0). Follow the `Location` header (GET "
                    "/api/v1/royalties/imports/{id}) until `status` is done or failed."
                ),
            ),
            400: error_response(
                "VALIDATION_ERROR: no file, unreadable file or missing required columns "
                "(sale month, store, ISRC, earnings). Invalid lines do not fail the import: "
                "they are counted and listed in `errors`. For a queued report these errors "
                "arrive later, as its `error` (status failed)."
            ),
            403: FORBIDDEN,
        },
        summary="Import a distributor's royalty report (staff)",
        description=(
            "CSV or TSV, UTF-8, with a header: Reporting Date, Sale Month, Store, Country, "
            "Artist, Title, ISRC, UPC, Quantity, Earnings, Currency (required: Sale Month, "
            "Store, ISRC, Earnings).\n\n"
            "A report of at most ROYALTY_IMPORT_SYNC_MAX_BYTES (2 MiB by default) is imported "
            "within the request: 201 with the import's report. A bigger one is stored and "
            "imported in the background: 202 with the import (`status` queued) and a "
            "`Location` header to GET /api/v1/royalties/imports/{id}.\n\n"
            "The same file again (same SHA-256) adds nothing: 200 with the first import's "
            "report and `already_imported` true, whatever that import's status; for a big "
            "report the body also has `status`, `error`, `started_at` and `finished_at`, and "
            "the `Location` header. Two identical uploads at once make one import."
        ),
    )
    def post(self, request):
        data = RoyaltyImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        file_name = upload.name or "report.csv"
        meta = RequestMeta.from_request(request)
        if not services.royalty_import_is_queued(size=upload.size):
            result = services.royalty_import(
                file=upload.file, file_name=file_name, actor=request.user, meta=meta
            )
            return Response(
                RoyaltyImportSerializer(
                    result.royalty_import, context={"already_imported": not result.created}
                ).data,
                status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            )
        result = services.royalty_import_queue(
            file=upload.file, file_name=file_name, actor=request.user, meta=meta
        )
        return Response(
            RoyaltyImportStatusSerializer(
                result.royalty_import, context={"already_imported": not result.created}
            ).data,
            status=status.HTTP_202_ACCEPTED if result.created else status.HTTP_200_OK,
            headers={"Location": _import_location(request, result.royalty_import)},
        )


class RoyaltyImportDetailApi(APIView):
    permission_classes = [IsAuthenticated, StaffTwoFactorLogin]

    @extend_schema(
        tags=TAGS,
        responses={
            200: RoyaltyImportStatusSerializer,
            403: FORBIDDEN,
            404: error_response("NOT_FOUND: no import has this id."),
        },
        summary="A royalty import and its status (staff)",
        description=(
            "Staff signed in with a one-time code, like the import. `status`: queued (waiting "
            "for a worker), running, done (the counts and line `errors` are final, the same "
            "fields as the synchronous import's answer) or failed (`error` says why, in the "
            "error envelope's shape: VALIDATION_ERROR for an unreadable report or missing "
            "columns, IMPORT_STALLED when its worker was lost three times; no line was "
            "imported, and staff may retry it from the admin). `already_imported` is false."
        ),
    )
    def get(self, request, import_id):
        record = selectors.royalty_import_get(import_id=import_id)
        return Response(RoyaltyImportStatusSerializer(record).data)


class RoyaltySummaryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "group_by",
                OpenApiTypes.STR,
                enum=["platform", "track", "month", "country"],
                description="How to group (default platform). month = sale month.",
            ),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First sale month."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last sale month."),
        ],
        responses={200: RoyaltySummarySerializer},
        summary="My royalties (own tracks and my shares of others'), per currency",
        description=(
            "Aggregated with `?group_by=platform|track|month|country` between `?from=` and "
            '`?to=`, per currency, money as decimal strings, with a "reported through" date '
            "per platform."
        ),
    )
    def get(self, request):
        query = RoyaltyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = selectors.royalty_summary(
            user=request.user,
            group_by=query.validated_data["group_by"],
            date_from=query.validated_data.get("date_from"),
            date_to=query.validated_data.get("date_to"),
        )
        return Response(RoyaltySummarySerializer(summary).data)


class RoyaltySplitListCreateApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = PageNumberPagination
    extra_error_codes = ("404", "409")

    @extend_schema(
        tags=TAGS,
        parameters=[SplitFilterSerializer],
        responses={200: SplitSerializer(many=True)},
        summary="Split versions of my tracks and of tracks I have a share in",
        description=(
            "Every split version, each valid from its sale month on, for tracks the caller "
            "owns or has a share in."
        ),
    )
    def get(self, request):
        query = SplitFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.split_list(
                user=request.user, track_id=query.validated_data.get("track")
            ),
            serializer_class=SplitSerializer,
        )

    @extend_schema(
        tags=TAGS,
        request=SplitInputSerializer,
        responses={
            201: SplitSerializer,
            409: error_response(
                "STATEMENTS_EXIST: royalties from that sale month on are already split; "
                "CONFLICT: a version already starts that month."
            ),
        },
        summary="Share a track's royalties from a sale month on (owner; percentages sum to 100)",
        description=(
            "Owner only (404 for someone else's track). Percentages must sum to 100 (400 "
            "VALIDATION_ERROR). Royalties from that sale month on already split into "
            "statements: 409 STATEMENTS_EXIST; a version already starting that month: 409 "
            "CONFLICT."
        ),
    )
    def post(self, request):
        data = SplitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        split = services.royalty_split_create(
            track=selectors.track_owned(track_id=data.validated_data["track"], user=request.user),
            actor=request.user,
            shares=[
                services.ShareSpec(user_id=share["user"], percent=share["percent"])
                for share in data.validated_data["shares"]
            ],
            effective_from=data.validated_data["effective_from"],
            meta=RequestMeta.from_request(request),
        )
        return Response(SplitSerializer(split).data, status=status.HTTP_201_CREATED)
