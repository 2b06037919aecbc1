"""The track and owner serializers answer with a dict built in one pass: it must be exactly
what DRF's generic rendering of their declared fields gives (the schema describes those)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from rest_framework import serializers

from apps.catalog.models import HlsStatus, ProcessingStatus, Track, Visibility
from apps.catalog.selectors import public_tracks, tracks_with_owner
from apps.catalog.serializers import (
    ArtistSerializer,
    OwnerSerializer,
    TrackListItemSerializer,
    TrackOutputSerializer,
)
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, TrackFactory

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
