"""Distribution endpoints (shared/API.md, Distribution and royalties). Thin: parse, call one
service or selector, serialize."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.distribution import selectors, services
from apps.distribution.permissions import staff_may_act
from apps.distribution.serializers import (
    DistributionCheckSerializer,
    DistributionFilterSerializer,
    DistributionInputSerializer,
    DistributionSerializer,
    StatusChangeSerializer,
)
from veza.api.exceptions import NotFound
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.api.schema import error_response
from veza.audit import RequestMeta

TAGS = ["distribution"]
SUBMIT_400 = error_response(
    "VALIDATION_ERROR: a bad body, or a blocking problem found by the dry run; details are "
    '`{"<platform>.<field>": ["message"]}`, e.g. `spotify.cover_image`.'
)
SUBMIT_403 = error_response(
    "SUBSCRIPTION_REQUIRED: no active or trialing Creator/Premium subscription."
)
SUBMIT_409 = error_response(
    "ALREADY_DISTRIBUTED: the track is live (or on its way) on a platform asked "
    '(details: `{"platforms": [...]}`); ISRC_TAKEN: the ISRC belongs to another recording.'
)


class DistributionValidateApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    extra_error_codes = ("404",)  # not a ready track of the caller

    @extend_schema(
        tags=TAGS,
        request=DistributionInputSerializer,
        responses={200: DistributionCheckSerializer},
        summary="Dry run: per platform, the blocking problems and the warnings; sends nothing",
        description=(
            "The same body as POST /distributions. Answers 200 with, per platform, the "
            "problems that would block the submission and the warnings; nothing is created or"
            " sent."
        ),
    )
    def post(self, request):
        data = DistributionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.distribution_check(
            user=request.user,
            track_id=data.validated_data["track"],
            platforms=data.validated_data["platforms"],
            isrc=data.validated_data.get("isrc"),
            is_explicit=data.validated_data.get("is_explicit"),
        )
        return Response(DistributionCheckSerializer(check).data)


class DistributionListCreateApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = PageNumberPagination
    extra_error_codes = ("404", "409")

    @extend_schema(
        tags=TAGS,
        parameters=[DistributionFilterSerializer],
        responses={200: DistributionSerializer(many=True)},
        summary="My distributions, each with its per-platform status",
        description=(
            "The caller's distributions, newest first, each with its status per platform."
        ),
    )
    def get(self, request):
        params = request.query_params.copy()
        # ?ordering= never fails: anything off the whitelist falls back (shared/API.md).
        ordering = params.pop("ordering", [""])[-1]
        query = DistributionFilterSerializer(data=params)
        query.is_valid(raise_exception=True)
        distributions = selectors.distribution_list(
            user=request.user,
            track=query.validated_data.get("track"),
            status=query.validated_data.get("status"),
            ordering=ordering,
        )
        return paginated_response(
            view=self,
            request=request,
            queryset=distributions,
            serializer_class=DistributionSerializer,
        )

    @extend_schema(
        tags=TAGS,
        request=DistributionInputSerializer,
        responses={201: DistributionSerializer, 400: SUBMIT_400, 403: SUBMIT_403, 409: SUBMIT_409},
        summary="Send a ready track of mine to Spotify, Apple Music and/or Deezer",
        description=(
            "Needs an active or trialing Creator/Premium subscription. The ISRC given is kept "
            "(format checked); without one, the track's ISRC is generated once and reused. "
            "Each platform starts `pending`; the provider is called in the background."
        ),
    )
    def post(self, request):
        data = DistributionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        distribution = services.distribution_submit(
            user=request.user,
            track_id=data.validated_data["track"],
            platforms=data.validated_data["platforms"],
            isrc=data.validated_data.get("isrc"),
            is_explicit=data.validated_data.get("is_explicit"),
            meta=RequestMeta.from_request(request),
        )
        return Response(DistributionSerializer(distribution).data, status=status.HTTP_201_CREATED)


class DistributionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        responses={200: DistributionSerializer},
        summary="One of my distributions with its per-platform status",
        description=("Owner or staff; anyone else gets 404."),
    )
    def get(self, request, distribution_id):
        distribution = selectors.distribution_get(
            distribution_id=distribution_id, user=request.user
        )
        return Response(DistributionSerializer(distribution).data)


class DistributionHistoryApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=TAGS,
        responses={200: StatusChangeSerializer(many=True)},
        summary="Status history of a distribution (every transition, every platform)",
        description=(
            "Every status change per platform with who or what caused it (owner, staff, "
            "provider or a scheduled rule). Owner or staff (404 otherwise)."
        ),
    )
    def get(self, request, distribution_id):
        distribution = selectors.distribution_get(
            distribution_id=distribution_id, user=request.user
        )
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.distribution_history(distribution=distribution),
            serializer_class=StatusChangeSerializer,
        )


class DistributionTakedownApi(APIView):
    permission_classes = [IsAuthenticated]
    extra_error_codes = ("409",)

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={
            200: DistributionSerializer,
            409: error_response("NOT_LIVE: live on no platform, nothing to take down."),
        },
        summary="Take a distribution down where it is live (owner or staff)",
        description=(
            "Owner or staff. Requests a takedown on every platform where the release is live;"
            " nothing live: 409 NOT_LIVE."
        ),
    )
    def post(self, request, distribution_id):
        distribution = selectors.distribution_get_any(distribution_id=distribution_id)
        if distribution.owner_id != request.user.pk and not staff_may_act(request, self):
            raise NotFound()
        distribution = services.distribution_takedown(
            distribution=distribution, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return Response(DistributionSerializer(distribution).data)
