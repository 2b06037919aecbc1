"""Catalog payloads: explicit fields, separate input and output serializers."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.models import (
    HlsStatus,
    Playlist,
    PlaylistEntry,
    Report,
    ReportReason,
    Track,
    Visibility,
)


class OwnerSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        profile = getattr(user, "profile", None)
        return (profile.display_name if profile else "") or user.username


class TrackOutputSerializer(serializers.ModelSerializer):
    owner = OwnerSerializer(read_only=True)
    cover_image = serializers.SerializerMethodField()
    stream_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    hls_url = serializers.SerializerMethodField(
        help_text="Master playlist while the hls_streaming flag is on and renditions are ready."
    )

    class Meta:
        model = Track
        fields = (
            "id",
            "owner",
            "title",
            "artist_name",
            "album",
            "genre",
            "tags",
            "description",
            "duration",
            "bitrate",
            "codec",
            "size",
            "sha256",
            "content_type",
            "cover_image",
            "visibility",
            "status",
            "failure_reason",
            "moderation_status",
            "hls_status",
            "play_count",
            "stream_url",
            "download_url",
            "hls_url",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cover_image(self, track) -> str | None:
        # The storage's URL: /media/… on disk, a signed bucket URL on S3 (MEDIA_IMAGE_URL_TTL).
        return track.cover_image.url if track.cover_image else None

    def get_stream_url(self, track) -> str:
        return reverse("track-stream", kwargs={"track_id": track.pk})

    def get_download_url(self, track) -> str:
        return reverse("track-download", kwargs={"track_id": track.pk})

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hls_url(self, track) -> str | None:
        if not self.context.get("hls_enabled") or track.hls_status != HlsStatus.READY:
            return None
        return reverse("track-hls-master", kwargs={"track_id": track.pk})


class TrackListItemSerializer(TrackOutputSerializer):
    class Meta(TrackOutputSerializer.Meta):
        fields = tuple(f for f in TrackOutputSerializer.Meta.fields if f != "failure_reason")
        read_only_fields = fields


def _tags_field():
    return serializers.ListField(
        child=serializers.CharField(max_length=40, allow_blank=False),
        max_length=20,
        required=False,
    )


class TrackUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The audio file (MP3, Ogg, FLAC, WAV, AIFF, M4A...).")
    title = serializers.CharField(max_length=200)
    artist_name = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    album = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    genre = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    tags = _tags_field()
    description = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)
    cover_image = serializers.ImageField(required=False)


class TrackUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    artist_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    album = serializers.CharField(max_length=200, required=False, allow_blank=True)
    genre = serializers.CharField(max_length=64, required=False, allow_blank=True)
    tags = _tags_field()
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class TrackListQuerySerializer(serializers.Serializer):
    genre = serializers.CharField(max_length=64, required=False)
    owner = serializers.UUIDField(required=False)
    tag = serializers.CharField(max_length=40, required=False)
    ordering = serializers.CharField(
        required=False,
        help_text="created_at, title, play_count, duration (prefix - for descending); "
        "anything else falls back to -created_at.",
    )


class ShareInputSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ShareOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    token = serializers.CharField()
    url = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class ReportInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    details = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ReportOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ("id", "track", "reason", "details", "status", "created_at")
        read_only_fields = fields


class ArtistSerializer(OwnerSerializer):
    role = serializers.CharField(read_only=True)


class PlaylistOutputSerializer(serializers.ModelSerializer):
    owner = OwnerSerializer(read_only=True)
    track_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Playlist
        fields = (
            "id",
            "owner",
            "title",
            "description",
            "visibility",
            "track_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class PlaylistInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)


class PlaylistUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class PlaylistEntryOutputSerializer(serializers.ModelSerializer):
    track = TrackListItemSerializer(read_only=True)

    class Meta:
        model = PlaylistEntry
        fields = ("position", "added_at", "track")
        read_only_fields = fields


class PlaylistTrackInputSerializer(serializers.Serializer):
    track_id = serializers.UUIDField()
    position = serializers.IntegerField(min_value=0, max_value=100_000, required=False)


class PlaylistTrackRemoveInputSerializer(serializers.Serializer):
    track_id = serializers.UUIDField()


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, min_length=1, trim_whitespace=True)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=20)


class SearchOutputSerializer(serializers.Serializer):
    tracks = TrackListItemSerializer(many=True)
    artists = ArtistSerializer(many=True)
    playlists = PlaylistOutputSerializer(many=True)


class LibraryEntryOutputSerializer(serializers.Serializer):
    saved_at = serializers.DateTimeField(source="created_at")
    track = TrackListItemSerializer()


class FollowOutputSerializer(serializers.Serializer):
    following = serializers.BooleanField()
