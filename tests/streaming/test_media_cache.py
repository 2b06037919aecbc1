"""The media-row cache: no database query for a repeated /stream, exact after any track write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog import media_cache
from apps.catalog.models import Track
from apps.catalog.services import track_moderate, track_update
from tests.catalog.factories import TrackFactory
from veza import versioned_cache


def url(track) -> str:
    return f"/api/v1/tracks/{track.pk}/stream"


@pytest.fixture(autouse=True)
def _empty_media_cache():
    media_cache.forget()
    yield
    media_cache.forget()


@pytest.mark.django_db
def test_a_repeated_stream_reads_no_database_row(api_client):
    track = TrackFactory()
    assert api_client.get(url(track)).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url(track), HTTP_RANGE="bytes=0-9")

    assert response.status_code == 206
    assert [q["sql"] for q in queries if "catalog_track" in q["sql"]] == []


@pytest.mark.django_db
def test_a_take_down_is_seen_by_the_very_next_request(api_client, staff_user):
    track = TrackFactory()
    assert api_client.get(url(track)).status_code == 200

    track_moderate(track=track, action="take_down", actor=staff_user)

    assert api_client.get(url(track)).status_code == 404


@pytest.mark.django_db
def test_making_a_track_private_is_seen_at_once(api_client):
    track = TrackFactory()
    assert api_client.get(url(track)).status_code == 200
    track_update(track=track, actor=track.owner, data={"visibility": "private"})
    assert api_client.get(url(track)).status_code == 403


@pytest.mark.django_db
def test_a_version_bump_from_another_process_reloads_the_row(api_client):
    track = TrackFactory()
    assert api_client.get(url(track)).status_code == 200
    # Another process changed the row and bumped the shared version after its commit.
    Track.objects.filter(pk=track.pk).update(visibility="private")
    assert api_client.get(url(track)).status_code == 200  # this process still trusts its row
    versioned_cache.token_set(media_cache.VERSION_KEY, "bumped-elsewhere")  # its bump
    assert api_client.get(url(track)).status_code == 403


@pytest.mark.django_db
def test_without_a_shared_cache_every_request_reads_the_database(api_client, settings):
    settings.REDIS_URL = ""
    track = TrackFactory()
    assert api_client.get(url(track)).status_code == 200
    Track.objects.filter(pk=track.pk).update(moderation_status="taken_down")
    assert api_client.get(url(track)).status_code == 404
