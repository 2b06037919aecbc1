"""Royalty endpoints (shared/API.md, Distribution and royalties): the staff import, the caller's
aggregated royalties and the splits of their tracks."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
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


class RoyaltyImportApi(APIView):
    permission_classes = [IsAuthenticated, StaffTwoFactorLogin]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": RoyaltyImportInputSerializer},
        responses={
            201: RoyaltyImportSerializer,
            200: RoyaltyImportSerializer,
            400: error_response(
                "VALIDATION_ERROR: no file, unreadable file or missing required columns "
                "(sale month, store, ISRC, earnings). Invalid lines do not fail the import: "
                "they are counted and listed in `errors`."
            ),
            403: error_response(
                "PERMISSION_DENIED: staff only; TWO_FACTOR_LOGIN_REQUIRED: staff must sign in "
                "with a one-time code."
            ),
        },
        summary="Import a distributor's royalty report (staff)",
        description=(
            "CSV or TSV, UTF-8, with a header: Reporting Date, Sale Month, Store, Country, "
            "Artist, Title, ISRC, UPC, Quantity, Earnings, Currency (required: Sale Month, "
            "Store, ISRC, Earnings). 201 with the import's report; the same file again: 200 "
            "with the first import's report and `already_imported` true (nothing added)."
        ),
    )
    def post(self, request):
        data = RoyaltyImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = services.royalty_import(
            file=upload.file,
            file_name=upload.name or "report.csv",
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        return Response(
            RoyaltyImportSerializer(
                result.royalty_import, context={"already_imported": not result.created}
            ).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


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
