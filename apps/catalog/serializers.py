"""Catalog payloads: explicit fields, separate input and output serializers.

The track and owner output serializers are on every list of the API (tracks, search, feed,
discover, playlists, library), so they answer with a plain dict built in one pass instead of
DRF's per-field machinery: the fields they declare stay the schema (drf-spectacular reads them)
and the reference (``tests/catalog/test_serializer_fast_path.py`` compares both for every
field), the dict is what leaves. Per-track URLs are string joins around a prefix reversed once.
A track is rendered by :func:`track_item` from a ``TrackRow``: the row a list selector reads
(no model instances) or the one built from a track instance, so both give the same bytes.
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
from apps.catalog.selectors import TrackRow
from veza import storage
from veza.api.representation import (
    OutputTimezoneMixin,
    iso_datetime,
    row_from_instance,
)

_ZERO_UUID = UUID(int=0)


def cover_url(name: str | None) -> str | None:
    """A cover's URL from its stored name: ``MEDIA_URL`` + name on disk (no storage call in
    list rendering), the storage's signed URL on S3 (it lives ``MEDIA_IMAGE_URL_TTL``, past the
    response cache). What ``FieldFile.url`` gives, from a model instance or a list row alike."""
    if not name:
        return None
    cover_storage = Track._meta.get_field("cover_image").storage
    if storage.is_s3(cover_storage):
        return cover_storage.url(name)
    return f"{settings.MEDIA_URL}{name}"


def track_url_parts() -> dict[str, tuple[str, str]]:
    """The track URLs' parts for the current script prefix: ``before + id + after``."""
    return _track_url_parts(get_script_prefix())


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


def _owner_item(owner_id, username: str, display_name: str | None) -> dict:
    """An owner's payload (``OwnerSerializer``'s fields): the display name, else the username."""
    return {"id": str(owner_id), "username": username, "display_name": display_name or username}


def _owner_dict(user) -> dict:
    profile = getattr(user, "profile", None)
    return _owner_item(user.pk, user.username, profile.display_name if profile else None)


def _track_row(track: Track) -> TrackRow:
    """A track instance as the row a list selector reads, so both render through one function."""
    return row_from_instance(TrackRow, track, cover_image=track.cover_image.name)


def track_item(row: TrackRow, tz, hls_enabled, urls: dict[str, tuple[str, str]]) -> dict:
    """A track's payload (``TrackOutputSerializer``'s fields, ``failure_reason`` as a ``None``
    placeholder) from its row: the one place the track dict is built, for instances and rows.

    ``tz`` is the answer's output zone (``output_timezone()``), ``hls_enabled`` the
    ``hls_streaming`` flag: ``hls_url`` is set while it is on and the renditions are ready;
    ``urls`` the track URLs' parts for the current script prefix (``track_url_parts()``).
    """
    track_id = str(row.id)
    stream, download, hls = (
        urls["track-stream"],
        urls["track-download"],
        urls["track-hls-master"],
    )
    hls_status = str(row.hls_status)
    duration, bitrate = row.duration, row.bitrate
    return {
        "id": track_id,
        "owner": _owner_item(row.owner_id, row.owner__username, row.owner__profile__display_name),
        "title": row.title,
        "artist_name": row.artist_name,
        "album": row.album,
        "genre": row.genre,
        "tags": row.tags,
        "description": row.description,
        "duration": None if duration is None else float(duration),
        "bitrate": None if bitrate is None else int(bitrate),
        "codec": row.codec,
        "size": int(row.size),
        "sha256": row.sha256,
        "content_type": row.content_type,
        "cover_image": cover_url(row.cover_image),
        "visibility": str(row.visibility),
        "status": str(row.status),
        "failure_reason": None,
        "moderation_status": str(row.moderation_status),
        "hls_status": hls_status,
        "play_count": int(row.play_count),
        "stream_url": f"{stream[0]}{track_id}{stream[1]}",
        "download_url": f"{download[0]}{track_id}{download[1]}",
        "hls_url": (
            f"{hls[0]}{track_id}{hls[1]}" if hls_enabled and hls_status == HlsStatus.READY else None
        ),
        "created_at": iso_datetime(row.created_at, tz),
        "updated_at": iso_datetime(row.updated_at, tz),
    }


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


class TrackOutputSerializer(OutputTimezoneMixin, serializers.ModelSerializer):
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
        return cover_url(track.cover_image.name)

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
        """The declared fields, in order, as DRF would render them, in one pass.

        ``instance`` is a track (with its owner and profile loaded) or, for list items only, a
        :class:`TrackRow` read by a list selector: both go through :func:`track_item`.
        """
        if type(instance) is TrackRow:
            if not self._without_failure_reason:
                raise TypeError("A TrackRow has no failure_reason: render it as a list item")
            row = instance
        else:
            row = _track_row(instance)
        data = track_item(row, *self._render_arguments())
        if self._without_failure_reason:
            del data["failure_reason"]  # never read: lists do not load it
        else:
            data["failure_reason"] = instance.failure_reason
        return data

    _without_failure_reason = False

    def _render_arguments(self) -> tuple:
        """What every item of one answer shares (a list's items share its child), read once."""
        try:
            return self._arguments
        except AttributeError:
            self._arguments = (
                self._output_timezone(),
                self.context.get("hls_enabled"),
                track_url_parts(),
            )
            return self._arguments


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


def _nested_track_serializer(parent) -> TrackListItemSerializer:
    """The track item renderer of an entry serializer, made once per serializer (a list's items
    share its child) without building the parent's DRF fields, which only the schema needs."""
    try:
        return parent._track_serializer
    except AttributeError:
        parent._track_serializer = TrackListItemSerializer(context=parent.context)
        return parent._track_serializer


class PlaylistEntryOutputSerializer(serializers.ModelSerializer):
    track = TrackListItemSerializer(read_only=True)

    class Meta:
        model = PlaylistEntry
        fields = ("position", "added_at", "track")
        read_only_fields = fields

    def to_representation(self, instance):
        """The declared fields in one pass, from an entry or a ``PlaylistEntryRow`` alike."""
        track_serializer = _nested_track_serializer(self)
        return {
            "position": int(instance.position),
            "added_at": iso_datetime(instance.added_at, track_serializer._output_timezone()),
            "track": track_serializer.to_representation(instance.track),
        }


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

    def to_representation(self, instance):
        """The declared fields in one pass (DRF's per-field path per entry otherwise)."""
        track_serializer = _nested_track_serializer(self)
        return {
            "saved_at": iso_datetime(instance.created_at, track_serializer._output_timezone()),
            "track": track_serializer.to_representation(instance.track),
        }


class FollowOutputSerializer(serializers.Serializer):
    following = serializers.BooleanField()
