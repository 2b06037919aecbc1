"""Distribution and royalty payloads. Money is a decimal string plus ``currency``
(shared/API.md, Conventions)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.distribution.models import (
    EARNINGS,
    ChangeSource,
    Distribution,
    Platform,
    PlatformRelease,
    ReleaseStatus,
    RoyaltyImport,
    RoyaltySplit,
    RoyaltySplitShare,
    StatusChange,
)
from apps.distribution.services import isrc_is_valid, isrc_normalize


class DistributionInputSerializer(serializers.Serializer):
    """The body of ``POST /distributions`` and of its dry run ``/distributions/validate``."""

    track = serializers.UUIDField(help_text="A ready track of yours.")
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices),
        min_length=1,
        max_length=len(Platform.values),
        help_text="Where to send it.",
    )
    isrc = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=15,
        help_text="The recording's ISRC (CC-XXX-YY-NNNNN) if it has one; generated otherwise.",
    )
    is_explicit = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Explicit lyrics."
    )

    def validate_platforms(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Name each platform once.")
        return value

    def validate_isrc(self, value):
        if not value:
            return None
        normalized = isrc_normalize(value)
        if not isrc_is_valid(normalized):
            raise serializers.ValidationError(
                "Not an ISRC: 2 letters, 3 letters or digits, 2-digit year, 5 digits."
            )
        return normalized


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="What the problem is about, e.g. cover_image.")
    code = serializers.CharField(help_text="e.g. COVER_MISSING, AUDIO_QUALITY_TOO_LOW.")
    message = serializers.CharField()


class PlatformCheckSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    is_ready = serializers.BooleanField()
    blocking = ProblemSerializer(many=True)
    warnings = ProblemSerializer(many=True)


class DistributionCheckSerializer(serializers.Serializer):
    track = serializers.UUIDField(source="track.pk")
    isrc = serializers.CharField(
        allow_null=True, help_text="The ISRC that would be used (null: generated on submit)."
    )
    is_eligible = serializers.BooleanField(
        help_text="An active or trialing Creator/Premium subscription (needed to submit)."
    )
    is_ready = serializers.BooleanField(help_text="Eligible and no blocking problem anywhere.")
    platforms = PlatformCheckSerializer(many=True)


class ReleaseSerializer(serializers.ModelSerializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    status = serializers.ChoiceField(choices=ReleaseStatus.choices)
    status_reason = serializers.CharField(help_text="The platform's reason (e.g. a rejection).")

    class Meta:
        model = PlatformRelease
        fields = (
            "id",
            "platform",
            "status",
            "status_reason",
            "status_changed_at",
            "submitted_at",
            "live_at",
            "takedown_requested_at",
        )
        read_only_fields = fields


class DistributionSerializer(serializers.ModelSerializer):
    track = serializers.UUIDField(source="track_id", read_only=True)
    track_title = serializers.CharField(source="track.title", read_only=True)
    releases = ReleaseSerializer(many=True, read_only=True, help_text="One per platform.")

    class Meta:
        model = Distribution
        fields = (
            "id",
            "track",
            "track_title",
            "isrc",
            "is_explicit",
            "releases",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class DistributionFilterSerializer(serializers.Serializer):
    track = serializers.UUIDField(required=False, help_text="Only this track's distributions.")
    status = serializers.ChoiceField(
        choices=ReleaseStatus.choices, required=False, help_text="With a release in this status."
    )
    ordering = serializers.CharField(
        required=False, help_text="created_at or updated_at, '-' for descending."
    )


class StatusChangeSerializer(serializers.ModelSerializer):
    platform = serializers.ChoiceField(choices=Platform.choices, source="release.platform")
    from_status = serializers.ChoiceField(choices=ReleaseStatus.choices)
    to_status = serializers.ChoiceField(choices=ReleaseStatus.choices)
    source = serializers.ChoiceField(choices=ChangeSource.choices)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StatusChange
        fields = ("platform", "from_status", "to_status", "source", "actor", "reason", "created_at")
        read_only_fields = fields

    def get_actor(self, change) -> str | None:
        """The person's username (owner or staff); null for the provider or a scheduled rule."""
        return change.actor.username if change.actor_id else None


class RoyaltyImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The distributor's report, CSV or TSV (UTF-8).")


class LineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class RoyaltyImportSerializer(serializers.ModelSerializer):
    errors = LineErrorSerializer(many=True, help_text="The first 100 invalid lines.")
    already_imported = serializers.SerializerMethodField()

    class Meta:
        model = RoyaltyImport
        fields = (
            "id",
            "file_name",
            "sha256",
            "size",
            "lines_total",
            "lines_imported",
            "lines_duplicate",
            "lines_unmatched",
            "lines_error",
            "errors",
            "already_imported",
            "created_at",
        )
        read_only_fields = fields

    def get_already_imported(self, record) -> bool:
        """True when this file had been imported before: nothing was added."""
        return bool(self.context.get("already_imported"))


class ImportErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="VALIDATION_ERROR, IMPORT_STALLED or IMPORT_FAILED.")
    message = serializers.CharField()
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per field, as in the error envelope.",
    )


class RoyaltyImportStatusSerializer(RoyaltyImportSerializer):
    """An import with its progress: the synchronous answer's fields (counts filled in once
    ``done``), its status, and the error of a failed one."""

    error = serializers.SerializerMethodField()

    class Meta(RoyaltyImportSerializer.Meta):
        fields = (
            *RoyaltyImportSerializer.Meta.fields,
            "status",
            "error",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields

    @extend_schema_field(ImportErrorSerializer(allow_null=True))
    def get_error(self, record):
        """Why a failed import failed; null otherwise."""
        return record.error or None


class RoyaltyQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=["platform", "track", "month", "country"], default="platform"
    )
    date_from = serializers.DateField(
        required=False, help_text="First sale month (YYYY-MM-DD; the month counts whole)."
    )
    date_to = serializers.DateField(required=False, help_text="Last sale month (YYYY-MM-DD).")

    def to_internal_value(self, data):
        # ``from`` and ``to`` are Python keywords: they arrive under these names.
        data = dict(data.items())
        for public, internal in (("from", "date_from"), ("to", "date_to")):
            if public in data:
                data[internal] = data.pop(public)
        return super().to_internal_value(data)

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"from": ["Must not be after 'to'."]})
        return attrs


class MoneyField(serializers.DecimalField):
    """A decimal string with at least two decimals and no trailing zeros beyond them
    (``"12.50"``, ``"0.0034"``): report amounts keep fractions of a cent exactly."""

    def __init__(self, **kwargs):
        super().__init__(**EARNINGS, **kwargs)

    def to_representation(self, value):
        value = Decimal(value)
        normalized = value.normalize()
        if normalized.as_tuple().exponent > -2:
            normalized = value.quantize(Decimal("0.01"))
        return f"{normalized:f}"


class RoyaltyTotalSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text="platform code, track id, YYYY-MM or country code (null in totals).",
    )
    label = serializers.CharField(help_text="Platform name, track title, month or country.")
    currency = serializers.CharField()
    earnings = MoneyField(help_text="Decimal string, e.g. 12.50 or 0.0034.")
    quantity = serializers.IntegerField(help_text="Units (streams, downloads) reported.")
    lines = serializers.IntegerField(help_text="Report lines counted.")


class CoverageSerializer(serializers.Serializer):
    platform = serializers.CharField()
    reported_through = serializers.DateField(help_text="First day of the latest reported month.")


class RoyaltySummarySerializer(serializers.Serializer):
    group_by = serializers.CharField()
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    totals = RoyaltyTotalSerializer(many=True, help_text="One per currency.")
    groups = RoyaltyTotalSerializer(many=True, help_text="One per group and currency.")
    reported_through = CoverageSerializer(
        many=True, help_text="Per platform, the latest sale month reported (later: not yet)."
    )


class SplitShareInputSerializer(serializers.Serializer):
    user = serializers.UUIDField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"))


class SplitInputSerializer(serializers.Serializer):
    track = serializers.UUIDField()
    effective_from = serializers.DateField(
        help_text="First sale month this version applies to (the day is ignored)."
    )
    shares = SplitShareInputSerializer(many=True, min_length=1, max_length=50)


class SplitShareSerializer(serializers.ModelSerializer):
    user = serializers.UUIDField(source="user_id")
    username = serializers.CharField(source="user.username")
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        model = RoyaltySplitShare
        fields = ("user", "username", "percent")
        read_only_fields = fields


class SplitSerializer(serializers.ModelSerializer):
    track = serializers.UUIDField(source="track_id")
    shares = SplitShareSerializer(many=True)

    class Meta:
        model = RoyaltySplit
        fields = ("id", "track", "effective_from", "shares", "created_at")
        read_only_fields = fields


class SplitFilterSerializer(serializers.Serializer):
    track = serializers.UUIDField(required=False)
