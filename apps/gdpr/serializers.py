"""Shapes of the personal-data API (shared/API.md, Personal data (GDPR))."""

from rest_framework import serializers

from apps.gdpr.models import DataExport, ExportStatus


class ExportOutputSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ExportStatus.choices, read_only=True)

    class Meta:
        model = DataExport
        fields = ["id", "status", "created_at", "finished_at", "expires_at", "size"]
        read_only_fields = fields


class ExportCreatedSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ExportStatus.choices, read_only=True)

    class Meta:
        model = DataExport
        fields = ["id", "status"]
        read_only_fields = fields


class AccountDeleteInputSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    keep_public_tracks = serializers.BooleanField(
        help_text="Keep your public tracks online, credited to a pseudonym instead of you."
    )
    otp_code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="A current authenticator or backup code, required when 2FA is on.",
    )


class RetainedSerializer(serializers.Serializer):
    what = serializers.CharField()
    why = serializers.CharField()
    kept_for = serializers.CharField()


class DeletionReceiptSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("scheduled", "Scheduled")])
    requested_at = serializers.DateTimeField()
    hard_delete_at = serializers.DateTimeField(help_text="When the final erasure runs.")
    keep_public_tracks = serializers.BooleanField()
    pseudonym = serializers.CharField(
        allow_null=True, help_text="Who kept public tracks are credited to (null if none kept)."
    )
    done_now = serializers.ListField(child=serializers.CharField())
    at_hard_delete = serializers.ListField(child=serializers.CharField())
    kept = RetainedSerializer(many=True)
