"""Streaming payloads: playback events."""

from rest_framework import serializers

from apps.streaming.models import PlaySource


class PlayInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=PlaySource.choices, default=PlaySource.DIRECT)
    client = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    session_id = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    seconds_played = serializers.IntegerField(min_value=0, max_value=86400, default=0)


class PlayOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    track = serializers.UUIDField()
    play_count = serializers.IntegerField()
    counted = serializers.BooleanField(
        help_text="Whether this event counted as a play (false: a repeat within the window, "
        "or the creator's own play); recorded either way."
    )
    seconds_played = serializers.IntegerField(help_text="As recorded: capped by the length.")
