"""The track and owner serializers answer with a dict built in one pass: it must be exactly
what DRF's generic rendering of their declared fields gives (the schema describes those), from a
model instance and, for list items, from the row a list selector reads (``TrackRow``)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from rest_framework import serializers

from apps.catalog.models import (
    HlsStatus,
    LibraryEntry,
    PlaylistEntry,
    ProcessingStatus,
    Track,
    Visibility,
)
from apps.catalog.selectors import (
    TRACK_ROW_FIELDS,
    TrackRow,
    library_tracks,
    playlist_entries,
    public_tracks,
    track_list_rows,
    tracks_with_owner,
)
from apps.catalog.serializers import (
    ArtistSerializer,
    LibraryEntryOutputSerializer,
    OwnerSerializer,
    PlaylistEntryOutputSerializer,
    TrackListItemSerializer,
    TrackOutputSerializer,
)
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, PlaylistFactory, TrackFactory
from veza.compiled_query import CompiledLists

pytestmark = pytest.mark.django_db


def _generic(serializer_class, instance, context):
    """DRF's own rendering of the serializer's declared fields."""
    serializer = serializer_class(instance, context=context)
    return serializers.Serializer.to_representation(serializer, instance)


def _tracks():
    plain_owner = UserFactory(profile=None)  # no profile row: display name is the username
    named_owner = CreatorFactory()
    named_owner.profile.display_name = "Zoë Ünicode"
    named_owner.profile.save()
    return [
        TrackFactory(owner=named_owner, tags=["ambient", "live"], description="Long\nnotes"),
        TrackFactory(owner=plain_owner, duration=None, bitrate=None, cover_image=""),
        TrackFactory(
            owner=named_owner,
            cover_image="covers/2026/01/cover.jpg",
            hls_status=HlsStatus.READY,
            bitrate=320000,
            play_count=12,
        ),
        TrackFactory(
            owner=named_owner,
            visibility=Visibility.PRIVATE,
            status=ProcessingStatus.FAILED,
            failure_reason="The file could not be decoded.",
            created_at=datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=UTC),
        ),
    ]


@pytest.mark.parametrize("hls_enabled", [False, True])
@pytest.mark.parametrize("serializer_class", [TrackOutputSerializer, TrackListItemSerializer])
def test_track_dict_is_drfs_rendering_of_the_declared_fields(serializer_class, hls_enabled):
    tracks = _tracks()
    context = {"hls_enabled": hls_enabled}
    for track in tracks_with_owner().filter(pk__in=[t.pk for t in tracks]):
        fast = serializer_class(track, context=context).data
        assert fast == _generic(serializer_class, track, context)
        assert list(fast) == list(serializer_class.Meta.fields)


def _rows(tracks) -> dict:
    """The tracks as list rows, read the way list selectors read them (any visibility)."""
    lists = CompiledLists(Track, fields=TRACK_ROW_FIELDS, make_row=TrackRow._make)
    rows = lists.rows(
        "test", lambda: tracks_with_owner().filter(pk__in=[t.pk for t in tracks]).order_by("id")
    )
    return {row.id: row for row in rows[0 : len(tracks)]}


@pytest.mark.parametrize("hls_enabled", [False, True])
def test_a_list_row_renders_exactly_what_drf_renders_for_the_track(hls_enabled):
    """Owner with and without a profile's display name, cover on and off, HLS ready or not,
    null duration and bitrate, a failed private track: every field, byte for byte."""
    tracks = _tracks()
    context = {"hls_enabled": hls_enabled}
    rows = _rows(tracks)
    assert len(rows) == len(tracks)
    for track in tracks_with_owner().filter(pk__in=[t.pk for t in tracks]):
        from_row = TrackListItemSerializer(rows[track.pk], context=context).data
        assert from_row == _generic(TrackListItemSerializer, track, context)
        assert list(from_row) == list(TrackListItemSerializer.Meta.fields)
    rendered = {
        item["id"]: item
        for item in (TrackListItemSerializer(list(rows.values()), many=True, context=context).data)
    }
    assert rendered[str(tracks[2].pk)]["cover_image"] == "/media/covers/2026/01/cover.jpg"
    assert rendered[str(tracks[2].pk)]["hls_url"] == (
        f"/api/v1/tracks/{tracks[2].pk}/hls/master.m3u8" if hls_enabled else None
    )
    assert rendered[str(tracks[1].pk)]["owner"]["display_name"] == tracks[1].owner.username
    assert rendered[str(tracks[0].pk)]["owner"]["display_name"] == "Zoë Ünicode"


def test_a_profile_with_an_empty_display_name_shows_the_username_from_a_row():
    owner = CreatorFactory()
    owner.profile.display_name = ""
    owner.profile.save()
    track = TrackFactory(owner=owner)

    item = TrackListItemSerializer(_rows([track])[track.pk], context={}).data

    assert item["owner"] == {
        "id": str(owner.pk),
        "username": owner.username,
        "display_name": owner.username,
    }
    assert item == _generic(TrackListItemSerializer, tracks_with_owner().get(pk=track.pk), {})


def test_a_row_has_no_failure_reason_so_only_the_list_item_renders_it():
    track = TrackFactory()
    row = _rows([track])[track.pk]
    with pytest.raises(TypeError, match="list item"):
        TrackOutputSerializer(context={}).to_representation(row)


def test_the_track_list_renders_rows_in_a_time_zone_like_drf():
    track = TrackFactory()
    with timezone.override("Europe/Paris"):
        [row] = track_list_rows()[0:1]
        data = TrackListItemSerializer(row, context={}).data
        assert data == _generic(TrackListItemSerializer, tracks_with_owner().get(pk=track.pk), {})
    assert not data["created_at"].endswith("Z")


@pytest.mark.parametrize("hls_enabled", [False, True])
def test_a_playlist_entry_renders_like_drf_from_a_row_and_from_an_entry(hls_enabled):
    tracks = _tracks()[:3]  # the listable ones
    playlist = PlaylistFactory()
    for position, track in enumerate(tracks):
        PlaylistEntry.objects.create(playlist=playlist, track=track, position=position * 3)
    context = {"hls_enabled": hls_enabled}
    entries = list(
        PlaylistEntry.objects.filter(playlist=playlist)
        .select_related("track__owner__profile")
        .order_by("position")
    )
    rows = playlist_entries(playlist=playlist, user=None)[0:10]

    assert [type(row).__name__ for row in rows] == ["PlaylistEntryRow"] * 3
    for row, entry in zip(rows, entries, strict=True):
        expected = _generic(PlaylistEntryOutputSerializer, entry, context)
        assert PlaylistEntryOutputSerializer(row, context=context).data == expected
        assert PlaylistEntryOutputSerializer(entry, context=context).data == expected
    with timezone.override("Asia/Kolkata"):
        data = PlaylistEntryOutputSerializer(rows[0], context=context).data
        assert data == _generic(PlaylistEntryOutputSerializer, entries[0], context)
    assert data["added_at"].endswith("+05:30")


@pytest.mark.parametrize("hls_enabled", [False, True])
def test_a_library_entry_renders_like_drf(hls_enabled):
    user = UserFactory()
    for track in _tracks()[:3]:
        LibraryEntry.objects.create(user=user, track=track)
    context = {"hls_enabled": hls_enabled}
    entries = list(library_tracks(user=user))
    assert len(entries) == 3
    for entry in entries:
        data = LibraryEntryOutputSerializer(entry, context=context).data
        assert data == _generic(LibraryEntryOutputSerializer, entry, context)
        assert list(data) == ["saved_at", "track"]
    with timezone.override("Asia/Kolkata"):
        data = LibraryEntryOutputSerializer(entries[0], context=context).data
        assert data == _generic(LibraryEntryOutputSerializer, entries[0], context)
    assert data["saved_at"].endswith("+05:30")


def test_track_dict_in_another_time_zone_matches_drf():
    track = tracks_with_owner().get(pk=TrackFactory().pk)
    with timezone.override("Europe/Paris"):
        fast = TrackOutputSerializer(track, context={}).data
        assert fast == _generic(TrackOutputSerializer, track, {})
    assert not fast["created_at"].endswith("Z")


def test_track_urls_follow_the_script_prefix():
    track = tracks_with_owner().get(pk=TrackFactory(hls_status=HlsStatus.READY).pk)
    set_script_prefix("/veza/")
    try:
        data = TrackOutputSerializer(track, context={"hls_enabled": True}).data
        assert data["stream_url"] == reverse("track-stream", kwargs={"track_id": track.pk})
        assert data["stream_url"].startswith("/veza/api/v1/tracks/")
        assert data["download_url"] == reverse("track-download", kwargs={"track_id": track.pk})
        assert data["hls_url"] == reverse("track-hls-master", kwargs={"track_id": track.pk})
    finally:
        set_script_prefix("/")


def test_list_items_read_only_the_columns_lists_load(django_assert_num_queries):
    _tracks()
    listed = list(public_tracks())
    assert listed
    with django_assert_num_queries(0):
        data = TrackListItemSerializer(listed, many=True, context={}).data
    assert [item["id"] for item in data] == [str(t.pk) for t in listed]
    full = {t.pk: t for t in tracks_with_owner().filter(pk__in=[t.pk for t in listed])}
    for item, track in zip(data, listed, strict=True):
        assert item == _generic(TrackListItemSerializer, full[track.pk], {})


def test_owner_and_artist_dicts_match_drf():
    owner = CreatorFactory()
    assert OwnerSerializer(owner).data == _generic(OwnerSerializer, owner, {})
    artist = ArtistSerializer(owner).data
    assert artist == _generic(ArtistSerializer, owner, {})
    assert artist["role"] == "creator"


def test_track_model_fields_are_all_either_listed_or_known_internal():
    """A new Track column must be placed: shown (add it to the serializer and the dict) or
    internal (add it here)."""
    internal = {
        "audio_file",
        "container",
        "search_vector",
        # the job sweeper's bookkeeping (veza/jobs.py)
        "processing_attempts",
        "processing_deadline",
        "hls_attempts",
        "hls_deadline",
    }
    shown = set(TrackOutputSerializer.Meta.fields) - {"stream_url", "download_url", "hls_url"}
    columns = {f.name for f in Track._meta.concrete_fields}
    assert columns - internal == shown
