"""The dashboards and their CSV export (shared/API.md, Creator analytics)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from apps.analytics import selectors
from apps.analytics import serializers as io
from apps.analytics.apis.common import REPORTS, TAGS, CreatorAnalyticsApi, parse_query, report_data
from veza.api.pagination import PageNumberPagination

RANGE_HELP = (
    " `from`/`to` are local days in `tz` (both included; default: the last 28 days); the "
    "span is at most 366 days."
)


def _report_view(name: str, filter_class, summary: str, description: str, codes=()):
    report = REPORTS[name]

    class ReportApi(CreatorAnalyticsApi):
        extra_error_codes = codes

        @extend_schema(
            tags=TAGS,
            parameters=[filter_class],
            responses={200: report.output},
            summary=summary,
            description=description + RANGE_HELP,
            operation_id=f"creator_analytics_{name}",
        )
        def get(self, request):
            query = parse_query(request, filter_class)
            return Response(report_data(report, creator=request.user, query=query))

    ReportApi.__name__ = ReportApi.__qualname__ = f"{name.title()}AnalyticsApi"
    return ReportApi


DashboardApi = _report_view(
    "dashboard",
    io.RangeFilterSerializer,
    "Totals of the range against the previous period, top tracks, revenue",
    "Plays, unique listeners, listening time, followers gained and revenue per currency, each "
    "with the previous period of the same length and the change in percent.",
)
PlaysApi = _report_view(
    "plays",
    io.SeriesFilterSerializer,
    "Plays over time: a zero-filled series by hour, day, week or month",
    "Periods are local to `tz` (a day is 23 or 25 hours when clocks change; weeks start on "
    "Monday). granularity=hour allows at most 31 days. `track`: one of my tracks (404 for "
    "anyone else's).",
    codes=("404",),
)
DiscoveryApi = _report_view(
    "discovery",
    io.RangeFilterSerializer,
    "Plays and unique listeners per source, active vs programmed",
    "Active sources: direct (track or profile page), search, library, share link. "
    "Programmed: feed, discover, playlist.",
)
GeographicApi = _report_view(
    "geographic",
    io.RangeFilterSerializer,
    "Plays and unique listeners per country, with the share of unknown",
    "Country as the edge reported it; `country: null` is unknown.",
)
AudienceApi = _report_view(
    "audience",
    io.RangeFilterSerializer,
    "Unique listeners, new vs returning, rolling 28 days, segments",
    "Unique listeners are exact over the whole range (never a sum of daily counts). "
    "Returning: played this creator before `from`. Rolling: the 28 days ending `to`.",
)
SalesApi = _report_view(
    "sales",
    io.SalesFilterSerializer,
    "Sales per source, currency and local day",
    "Sources: course sales. Money is a decimal string per currency. `course`: one of my "
    "courses by slug (404 for anyone else's).",
    codes=("404",),
)


class TracksApi(CreatorAnalyticsApi):
    pagination_class = PageNumberPagination
    extra_error_codes = ("404",)  # a page past the end

    @extend_schema(
        tags=TAGS,
        parameters=[io.TracksFilterSerializer],
        responses={200: io.TracksOutputSerializer},
        summary="Every track of mine with its plays in the range (ordering, pages)",
        description="Ordering whitelist: plays, listening_seconds, title, created_at (prefix - "
        "for descending); default -plays, anything else -created_at." + RANGE_HELP,
        operation_id="creator_analytics_tracks",
    )
    def get(self, request):
        query = parse_query(request, io.TracksFilterSerializer)
        range_ = query["range"]
        answer = selectors.tracks_table(
            creator=request.user, range_=range_, ordering=query["ordering"]
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(answer["results"], request, view=self)
        data = {
            **answer,
            "results": page,
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "from": range_.first,
            "to": range_.last,
            "tz": range_.tz.key,
        }
        return Response(io.TracksOutputSerializer(data).data)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(columns, rows) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow(["" if value is None else value for value in row])


class ExportApi(CreatorAnalyticsApi):
    extra_error_codes = ("404",)  # a stream, track or course id that is not the caller's

    def perform_content_negotiation(self, request, force=False):
        # The answer is CSV whatever Accept says; errors stay in the JSON envelope.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=TAGS,
        parameters=[io.ExportFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="CSV with a header row: the same rows and numbers as the JSON "
                "endpoint of `report` with the same parameters (tracks: every row, no pages; "
                "live: the viewers-over-time series).",
            )
        },
        summary="Any dashboard as CSV (streamed)",
        description="report=live needs `stream_id`; another creator's stream is 404." + RANGE_HELP,
        operation_id="creator_analytics_export",
    )
    def get(self, request):
        query = parse_query(request, io.ExportFilterSerializer)
        report = REPORTS[query["report"]]
        data = report_data(report, creator=request.user, query=query)
        range_ = query["range"]
        response = StreamingHttpResponse(
            _csv_lines(report.columns, report.rows(data)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="veza-{query["report"]}-{range_.first}-{range_.last}.csv"'
        )
        return response
