"""Catalog payloads: explicit fields, separate input and output serializers.

The track and owner output serializers are on every list of the API (tracks, search, feed,
discover, playlists, library), so they answer with a plain dict built in one pass instead of
DRF's per-field machinery: the fields they declare stay the schema (drf-spectacular reads them)
and the reference (``tests/catalog/test_serializer_fast_path.py`` compares both for every
field), the dict is what leaves. Per-track URLs are string joins around a prefix reversed once.
"""

import functools
from uuid import UUID

from django.conf import settings
from django.urls import get_script_prefix, reverse
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
from veza import storage
from veza.api.representation import iso_datetime, output_timezone

_ZERO_UUID = UUID(int=0)


def cover_url(cover) -> str | None:
    """A cover's URL: ``MEDIA_URL`` + name on disk (no storage call in list rendering), the
    storage's signed URL on S3 (it lives ``MEDIA_IMAGE_URL_TTL``, past the response cache)."""
    if not cover:
        return None
    if storage.is_s3():
        return cover.url
    return f"{settings.MEDIA_URL}{cover.name}"


@functools.lru_cache(maxsize=16)
def _track_url_parts(script_prefix: str) -> dict[str, tuple[str, str]]:
    """``reverse()`` once per script prefix: a track's URL is then ``before + id + after``."""
    del script_prefix  # the cache key; reverse() reads the current one itself
    parts = {}
    for name in ("track-stream", "track-download", "track-hls-master"):
        before, _, after = reverse(name, kwargs={"track_id": _ZERO_UUID}).partition(str(_ZERO_UUID))
        parts[name] = (before, after)
    return parts


def _display_name(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.username


def _owner_dict(user) -> dict:
    return {"id": str(user.pk), "username": user.username, "display_name": _display_name(user)}


class OwnerSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return _display_name(user)

    def to_representation(self, instance):
        if type(self) is not OwnerSerializer:  # subclasses add fields: DRF's generic path
            return super().to_representation(instance)
        return _owner_dict(instance)


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
        return cover_url(track.cover_image)

    def _url(self, name: str, track) -> str:
        before, after = _track_url_parts(get_script_prefix())[name]
        return f"{before}{track.pk}{after}"

    def get_stream_url(self, track) -> str:
        return self._url("track-stream", track)

    def get_download_url(self, track) -> str:
        return self._url("track-download", track)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hls_url(self, track) -> str | None:
        if not self.context.get("hls_enabled") or track.hls_status != HlsStatus.READY:
            return None
        return self._url("track-hls-master", track)

    def to_representation(self, instance):
        """The declared fields, in order, as DRF would render them, in one pass."""
        track = instance
        tz = self._output_timezone()
        urls = _track_url_parts(get_script_prefix())
        track_id = str(track.pk)
        stream, download, hls = (
            urls["track-stream"],
            urls["track-download"],
            urls["track-hls-master"],
        )
        hls_ready = self.context.get("hls_enabled") and track.hls_status == HlsStatus.READY
        cover = track.cover_image
        data = {
            "id": track_id,
            "owner": _owner_dict(track.owner),
            "title": track.title,
            "artist_name": track.artist_name,
            "album": track.album,
            "genre": track.genre,
            "tags": track.tags,
            "description": track.description,
            "duration": None if track.duration is None else float(track.duration),
            "bitrate": None if track.bitrate is None else int(track.bitrate),
            "codec": track.codec,
            "size": int(track.size),
            "sha256": track.sha256,
            "content_type": track.content_type,
            "cover_image": cover_url(cover),
            "visibility": str(track.visibility),
            "status": str(track.status),
            "failure_reason": None,  # placed here, filled or dropped below
            "moderation_status": str(track.moderation_status),
            "hls_status": str(track.hls_status),
            "play_count": int(track.play_count),
            "stream_url": f"{stream[0]}{track_id}{stream[1]}",
            "download_url": f"{download[0]}{track_id}{download[1]}",
            "hls_url": f"{hls[0]}{track_id}{hls[1]}" if hls_ready else None,
            "created_at": iso_datetime(track.created_at, tz),
            "updated_at": iso_datetime(track.updated_at, tz),
        }
        if self._without_failure_reason:
            del data["failure_reason"]  # never read: lists do not load it
        else:
            data["failure_reason"] = track.failure_reason
        return data

    _without_failure_reason = False

    def _output_timezone(self):
        """Once per serializer (one per answer; a list's items share its child)."""
        try:
            return self._tz
        except AttributeError:
            self._tz = output_timezone()
            return self._tz


class TrackListItemSerializer(TrackOutputSerializer):
    _without_failure_reason = True

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
