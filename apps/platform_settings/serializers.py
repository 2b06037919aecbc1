from rest_framework import serializers


class MaintenanceInputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    message = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MaintenanceOutputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    message = serializers.CharField()
    retry_after = serializers.IntegerField(help_text="Seconds sent in Retry-After while on.")


class FeaturesOutputSerializer(serializers.Serializer):
    hls_streaming = serializers.BooleanField(help_text="Use HLS; when false play /stream.")

    class Meta:
        ref_name = "Features"
