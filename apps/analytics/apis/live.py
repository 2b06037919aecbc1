"""Live sessions: schedule, list, viewer events from the streaming server, figures."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.analytics import selectors, services
from apps.analytics import serializers as io
from apps.analytics.apis.common import TAGS, CreatorAnalyticsApi
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.parsers import JSONParser
from veza.audit import RequestMeta


class LiveSessionListCreateApi(CreatorAnalyticsApi):
    parser_classes = [JSONParser]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=TAGS,
        responses={200: io.LiveSessionSerializer(many=True)},
        summary="My live sessions, latest scheduled first",
        description=("Content creators only (403 for listeners), about their own sessions only."),
        operation_id="creator_analytics_live_list",
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.live_sessions_of(creator=request.user),
            serializer_class=io.LiveSessionSerializer,
        )

    @extend_schema(
        tags=TAGS,
        request=io.LiveSessionInputSerializer,
        responses={201: io.LiveSessionSerializer},
        summary="Schedule a live session (title, start); its id is the stream id",
        description=(
            "Content creators only. The session's id is the `stream_id` the streaming "
            "software reports events for (POST .../live/{stream_id}/events)."
        ),
        operation_id="creator_analytics_live_create",
    )
    def post(self, request):
        data = io.LiveSessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.live_session_create(
            creator=request.user, **data.validated_data, meta=RequestMeta.from_request(request)
        )
        return Response(io.LiveSessionSerializer(session).data, status=status.HTTP_201_CREATED)


class LiveSessionDetailApi(CreatorAnalyticsApi):
    @extend_schema(
        tags=TAGS,
        responses={200: io.LiveStatsSerializer},
        summary="A live session's viewers: peak concurrent, total, average watch, over time",
        description="During the session, viewers still watching count up to now; after it "
        "(`ended_at`), up to the end. Another creator's stream id is 404.",
        operation_id="creator_analytics_live_detail",
    )
    def get(self, request, stream_id):
        session = selectors.live_session_owned(creator=request.user, session_id=stream_id)
        return Response(io.LiveStatsSerializer(selectors.live_stats(session=session)).data)


class LiveViewerEventsApi(CreatorAnalyticsApi):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        request=io.ViewerEventsInputSerializer,
        responses={201: io.ViewerEventsOutputSerializer},
        summary="The streaming server reports viewer joins and leaves (write-scoped API key)",
        description="Authenticate with the creator's `X-API-Key` (write scope). At most 1000 "
        "events a batch; a batch sent twice is stored once. `ended_at` ends the session.",
        operation_id="creator_analytics_live_events",
    )
    def post(self, request, stream_id):
        session = selectors.live_session_owned(creator=request.user, session_id=stream_id)
        data = io.ViewerEventsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        received = services.live_viewer_events_record(session=session, **data.validated_data)
        return Response(
            io.ViewerEventsOutputSerializer({"received": received}).data,
            status=status.HTTP_201_CREATED,
        )
