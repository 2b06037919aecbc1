"""Analytics payloads: the query filter and one output shape per dashboard."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import date, timedelta

from django.utils import timezone
from rest_framework import serializers

from apps.analytics.selectors import GRANULARITIES, Range
from apps.analytics.selectors.common import ROLLING_LISTENERS_DAYS
from apps.streaming.models import PlaySource

MAX_SPAN_DAYS = 366
MAX_HOURLY_SPAN_DAYS = 31
DEFAULT_SPAN_DAYS = ROLLING_LISTENERS_DAYS
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class RangeFilterSerializer(serializers.Serializer):
    """``from``/``to`` are local dates, both included; ``tz`` is the IANA zone they are in."""

    from_ = serializers.DateField(
        required=False,
        help_text=f"First day (YYYY-MM-DD), included. Default: {DEFAULT_SPAN_DAYS} days before "
        f"`to`. Between {EARLIEST} and {LATEST}.",
    )
    to = serializers.DateField(
        required=False,
        help_text=f"Last day (YYYY-MM-DD), included. Default: today in `tz`. At most "
        f"{MAX_SPAN_DAYS} days from `from` ({MAX_HOURLY_SPAN_DAYS} with granularity=hour).",
    )
    tz = serializers.CharField(
        required=False,
        default="UTC",
        max_length=64,
        help_text="IANA time zone of the dates and of the series, e.g. Europe/Paris.",
    )

    class Meta:
        ref_name = "AnalyticsRangeFilter"

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # "from" is a Python keyword
        return fields

    def validate_tz(self, value: str) -> zoneinfo.ZoneInfo:
        if value not in _zone_names():
            raise serializers.ValidationError("Not an IANA time zone name.")
        return zoneinfo.ZoneInfo(value)

    def _max_span(self, attrs) -> int:
        return MAX_SPAN_DAYS

    def validate(self, attrs):
        tz = attrs["tz"]
        last = attrs.get("to") or timezone.now().astimezone(tz).date()
        first = attrs.get("from") or max(EARLIEST, last - timedelta(days=DEFAULT_SPAN_DAYS - 1))
        errors = {}
        for name, day in (("from", first), ("to", last)):
            if not EARLIEST <= day <= LATEST:
                errors[name] = [f"Must be between {EARLIEST} and {LATEST}."]
        if errors:
            raise serializers.ValidationError(errors)
        if first > last:
            raise serializers.ValidationError({"from": ["Must not be after `to`."]})
        span = (last - first).days + 1
        if span > self._max_span(attrs):
            raise serializers.ValidationError(
                {"to": [f"The range is at most {self._max_span(attrs)} days."]}
            )
        range_ = Range(first=first, last=last, tz=tz)
        # Rollup buckets are quarter hours: a zone must be a whole number of them from UTC
        # (every zone is today; some were not a century ago).
        for moment in (range_.start, range_.end, range_.previous().start):
            if moment.astimezone(tz).utcoffset().total_seconds() % (15 * 60):
                raise serializers.ValidationError(
                    {"tz": ["This zone's offset is not a whole number of quarter hours."]}
                )
        return {**attrs, "range": range_}


class SeriesFilterSerializer(RangeFilterSerializer):
    granularity = serializers.ChoiceField(choices=GRANULARITIES, default="day")
    track = serializers.UUIDField(
        required=False, help_text="One of my tracks only (another creator's track: 404)."
    )

    class Meta:
        ref_name = "AnalyticsSeriesFilter"

    def _max_span(self, attrs) -> int:
        return MAX_HOURLY_SPAN_DAYS if attrs.get("granularity") == "hour" else MAX_SPAN_DAYS


class TracksFilterSerializer(RangeFilterSerializer):
    ordering = serializers.CharField(
        required=False,
        help_text="One of plays, listening_seconds, title, created_at; prefix - for "
        "descending. Default -plays; anything else: -created_at.",
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    class Meta:
        ref_name = "AnalyticsTracksFilter"


class SalesFilterSerializer(RangeFilterSerializer):
    course = serializers.SlugField(
        required=False,
        max_length=100,
        allow_unicode=True,
        help_text="One of my courses only, by slug (another creator's course: 404).",
    )

    class Meta:
        ref_name = "AnalyticsSalesFilter"


REPORTS = (
    "dashboard",
    "plays",
    "tracks",
    "discovery",
    "geographic",
    "audience",
    "sales",
    "live",
)


class ExportFilterSerializer(SeriesFilterSerializer):
    report = serializers.ChoiceField(choices=REPORTS, help_text="Which dashboard to export.")
    course = serializers.SlugField(
        required=False, max_length=100, allow_unicode=True, help_text="report=sales: as for sales."
    )
    ordering = serializers.CharField(
        required=False, help_text="report=tracks: as for tracks (all rows, no pages)."
    )
    stream_id = serializers.UUIDField(
        required=False, help_text="report=live: the session (required there)."
    )

    class Meta:
        ref_name = "AnalyticsExportFilter"

    def validate(self, attrs):
        if attrs.get("report") == "live" and not attrs.get("stream_id"):
            raise serializers.ValidationError({"stream_id": ["Required for report=live."]})
        return super().validate(attrs)


# --- outputs -----------------------------------------------------------------------------


class _RangeOutput(serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()
    tz = serializers.CharField()
    data_through = serializers.DateTimeField(
        help_text="Every play recorded up to this instant is counted (rollups plus the raw "
        "events not yet rolled up)."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class ChangeSerializer(serializers.Serializer):
    current = serializers.IntegerField()
    previous = serializers.IntegerField(help_text="The previous period of the same length.")
    change_percent = serializers.FloatField(
        allow_null=True, help_text="null when the previous value is 0."
    )


class RevenueChangeSerializer(serializers.Serializer):
    currency = serializers.CharField()
    current = serializers.CharField(help_text="Decimal string.")
    previous = serializers.CharField(help_text="Decimal string.")
    change_percent = serializers.FloatField(allow_null=True)


class TopTrackSerializer(serializers.Serializer):
    track = serializers.UUIDField()
    title = serializers.CharField()
    plays = serializers.IntegerField()
    listening_seconds = serializers.IntegerField()


class DashboardOutputSerializer(_RangeOutput):
    previous_from = serializers.DateField()
    previous_to = serializers.DateField()
    plays = ChangeSerializer()
    listeners = ChangeSerializer()
    listening_seconds = ChangeSerializer()
    followers_gained = ChangeSerializer()
    revenue = RevenueChangeSerializer(many=True)
    top_tracks = TopTrackSerializer(many=True)

    class Meta:
        ref_name = "AnalyticsDashboard"


class SeriesPointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="Local start of the period, ISO 8601 with offset.")
    plays = serializers.IntegerField()
    listening_seconds = serializers.IntegerField()


class PlaysOutputSerializer(_RangeOutput):
    track = serializers.UUIDField(allow_null=True, help_text="The track filter, if any.")
    granularity = serializers.ChoiceField(choices=GRANULARITIES)
    plays = serializers.IntegerField()
    listening_seconds = serializers.IntegerField()
    series = SeriesPointSerializer(many=True)

    class Meta:
        ref_name = "AnalyticsPlays"


class TrackRowSerializer(serializers.Serializer):
    track = serializers.UUIDField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    plays = serializers.IntegerField()
    listening_seconds = serializers.IntegerField()
    share_of_plays = serializers.FloatField(help_text="0..1 of the creator's plays.")

    class Meta:
        ref_name = "AnalyticsTrackRow"


class TracksOutputSerializer(_RangeOutput):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    plays = serializers.IntegerField(help_text="All the creator's plays in the range.")
    results = TrackRowSerializer(many=True)

    class Meta:
        ref_name = "AnalyticsTracks"


class _StatsFields(serializers.Serializer):
    plays = serializers.IntegerField()
    listeners = serializers.IntegerField(help_text="Unique listeners (exact).")
    listening_seconds = serializers.IntegerField()


class ClassRowSerializer(_StatsFields):
    class_ = serializers.ChoiceField(choices=["active", "programmed"])

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")  # "class" is a Python keyword
        return fields


class SourceRowSerializer(ClassRowSerializer):
    source = serializers.ChoiceField(choices=PlaySource.choices)


class DiscoveryOutputSerializer(_RangeOutput):
    active_sources = serializers.ListField(child=serializers.CharField())
    classes = ClassRowSerializer(many=True)
    sources = SourceRowSerializer(many=True)

    class Meta:
        ref_name = "AnalyticsDiscovery"


class CountryRowSerializer(_StatsFields):
    country = serializers.CharField(allow_null=True, help_text="ISO 3166 code; null: unknown.")
    name = serializers.CharField()


class GeographicOutputSerializer(_RangeOutput):
    plays = serializers.IntegerField()
    unknown_share = serializers.FloatField(help_text="0..1 of plays with no known country.")
    countries = CountryRowSerializer(many=True)

    class Meta:
        ref_name = "AnalyticsGeographic"


class SegmentsSerializer(serializers.Serializer):
    super = serializers.IntegerField(help_text="10 plays or more in the range.")
    moderate = serializers.IntegerField(help_text="3 to 9 plays.")
    light = serializers.IntegerField(help_text="1 or 2 plays.")


class AudienceOutputSerializer(_RangeOutput):
    listeners = serializers.IntegerField()
    new_listeners = serializers.IntegerField()
    returning_listeners = serializers.IntegerField()
    rolling_28_day_listeners = serializers.IntegerField()
    rolling_from = serializers.DateField()
    rolling_to = serializers.DateField()
    segments = SegmentsSerializer()

    class Meta:
        ref_name = "AnalyticsAudience"


class SalesTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    source = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.CharField(help_text="Decimal string.")


class SalesDaySerializer(SalesTotalSerializer):
    date = serializers.DateField(help_text="Local day in `tz`.")


class SalesOutputSerializer(_RangeOutput):
    course = serializers.CharField(allow_null=True, help_text="The course filter, if any.")
    sources = serializers.ListField(child=serializers.CharField())
    totals = SalesTotalSerializer(many=True)
    days = SalesDaySerializer(many=True)

    class Meta:
        ref_name = "AnalyticsSales"


# --- live --------------------------------------------------------------------------------


class LiveSessionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    scheduled_start = serializers.DateTimeField()


class LiveSessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    scheduled_start = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class ViewerEventInputSerializer(serializers.Serializer):
    viewer = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=["join", "leave"])
    at = serializers.DateTimeField()


class ViewerEventsInputSerializer(serializers.Serializer):
    events = ViewerEventInputSerializer(many=True, max_length=1000)
    ended_at = serializers.DateTimeField(
        required=False, help_text="The stream ended: viewers still watching stop counting here."
    )

    def validate(self, attrs):
        latest = timezone.now() + timedelta(minutes=5)
        moments = [event["at"] for event in attrs["events"]] + [attrs.get("ended_at")]
        if any(moment is not None and moment > latest for moment in moments):
            raise serializers.ValidationError({"events": ["Events cannot be in the future."]})
        return attrs


class ViewerEventsOutputSerializer(serializers.Serializer):
    received = serializers.IntegerField()


class LivePointSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    viewers = serializers.IntegerField()


class LiveSeriesSerializer(serializers.Serializer):
    step_seconds = serializers.IntegerField()
    points = LivePointSerializer(many=True)


class LiveStatsSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    scheduled_start = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    is_live = serializers.BooleanField()
    peak_concurrent_viewers = serializers.IntegerField()
    peak_at = serializers.DateTimeField(allow_null=True)
    total_viewers = serializers.IntegerField()
    average_watch_seconds = serializers.FloatField()
    series = LiveSeriesSerializer()
