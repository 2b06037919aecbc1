"""What every analytics view shares: the creator-only base view and the report registry.

A report is one selector; the JSON view serializes its answer, and the CSV export flattens that
same serialized answer, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rest_framework import serializers
from rest_framework.views import APIView

from apps.analytics import permissions, selectors
from apps.analytics import serializers as out

TAGS = ["creator analytics"]


class CreatorAnalyticsApi(APIView):
    """Signed-in content creators, about their own content only."""

    def get_permissions(self):
        return permissions.content_creator()


def parse_query(request, filter_class: type[serializers.Serializer], **extra) -> dict:
    params = request.query_params.copy()
    # ?ordering= never fails: anything off the whitelist falls back (shared/API.md).
    ordering = params.pop("ordering", [selectors.DEFAULT_TRACK_ORDERING])[-1]
    query = filter_class(data=params)
    query.is_valid(raise_exception=True)
    return {**query.validated_data, "ordering": ordering, **extra}


@dataclass(frozen=True)
class Report:
    build: Callable[..., dict]  # (creator, query) -> the selector's answer
    output: type[serializers.Serializer]
    columns: tuple[str, ...]
    rows: Callable[[dict], Iterator[list]]  # the serialized answer as CSV rows


def report_data(report: Report, *, creator, query: dict) -> dict:
    """The selector's answer with the range it answered for, serialized."""
    range_ = query["range"]
    answer = report.build(creator, query)
    return report.output(
        {**answer, "from": range_.first, "to": range_.last, "tz": range_.tz.key}
    ).data


def _dashboard_rows(data) -> Iterator[list]:
    for metric in ("plays", "listeners", "listening_seconds", "followers_gained"):
        change = data[metric]
        yield [
            "totals",
            metric,
            "",
            change["current"],
            change["previous"],
            change["change_percent"],
        ]
    for revenue in data["revenue"]:
        yield [
            "revenue",
            revenue["currency"],
            "",
            revenue["current"],
            revenue["previous"],
            revenue["change_percent"],
        ]
    for track in data["top_tracks"]:
        yield ["top_tracks", track["track"], track["title"], track["plays"], "", ""]


def _live(creator, query) -> dict:
    session = selectors.live_session_owned(creator=creator, session_id=query["stream_id"])
    return selectors.live_stats(session=session)


def _tracks(creator, query) -> dict:
    """The whole table, unpaginated (the JSON view pages the same rows)."""
    answer = selectors.tracks_table(
        creator=creator, range_=query["range"], ordering=query["ordering"]
    )
    return {**answer, "count": len(answer["results"]), "next": None, "previous": None}


REPORTS: dict[str, Report] = {
    "dashboard": Report(
        build=lambda creator, q: selectors.dashboard(creator=creator, range_=q["range"]),
        output=out.DashboardOutputSerializer,
        columns=("section", "key", "label", "current", "previous", "change_percent"),
        rows=_dashboard_rows,
    ),
    "plays": Report(
        build=lambda creator, q: selectors.plays_series(
            creator=creator,
            range_=q["range"],
            granularity=q.get("granularity", "day"),
            track_id=q.get("track"),
        ),
        output=out.PlaysOutputSerializer,
        columns=("period", "plays", "listening_seconds"),
        rows=lambda d: ([p["period"], p["plays"], p["listening_seconds"]] for p in d["series"]),
    ),
    "tracks": Report(
        build=_tracks,
        output=out.TracksOutputSerializer,
        columns=("track", "title", "created_at", "plays", "listening_seconds", "share_of_plays"),
        rows=lambda d: (
            [
                r["track"],
                r["title"],
                r["created_at"],
                r["plays"],
                r["listening_seconds"],
                r["share_of_plays"],
            ]
            for r in d["results"]
        ),
    ),
    "discovery": Report(
        build=lambda creator, q: selectors.discovery(creator=creator, range_=q["range"]),
        output=out.DiscoveryOutputSerializer,
        columns=("group", "source", "class", "plays", "listeners", "listening_seconds"),
        rows=lambda d: (
            *(
                ["class", "", c["class"], c["plays"], c["listeners"], c["listening_seconds"]]
                for c in d["classes"]
            ),
            *(
                [
                    "source",
                    s["source"],
                    s["class"],
                    s["plays"],
                    s["listeners"],
                    s["listening_seconds"],
                ]
                for s in d["sources"]
            ),
        ),
    ),
    "geographic": Report(
        build=lambda creator, q: selectors.geographic(creator=creator, range_=q["range"]),
        output=out.GeographicOutputSerializer,
        columns=("country", "name", "plays", "listeners", "listening_seconds"),
        rows=lambda d: (
            [c["country"] or "", c["name"], c["plays"], c["listeners"], c["listening_seconds"]]
            for c in d["countries"]
        ),
    ),
    "audience": Report(
        build=lambda creator, q: selectors.audience(creator=creator, range_=q["range"]),
        output=out.AudienceOutputSerializer,
        columns=("metric", "value"),
        rows=lambda d: (
            *(
                [name, d[name]]
                for name in (
                    "listeners",
                    "new_listeners",
                    "returning_listeners",
                    "rolling_28_day_listeners",
                )
            ),
            *([f"segment_{name}", value] for name, value in d["segments"].items()),
        ),
    ),
    "sales": Report(
        build=lambda creator, q: selectors.sales_report(
            creator=creator, range_=q["range"], course=q.get("course")
        ),
        output=out.SalesOutputSerializer,
        columns=("date", "source", "currency", "count", "amount"),
        rows=lambda d: (
            [r["date"], r["source"], r["currency"], r["count"], r["amount"]] for r in d["days"]
        ),
    ),
    "live": Report(
        build=_live,
        output=out.LiveStatsSerializer,
        columns=("at", "viewers"),
        rows=lambda d: ([p["at"], p["viewers"]] for p in d["series"]["points"]),
    ),
}
