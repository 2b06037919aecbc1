"""POST /api/v1/tracks/{id}/plays: one event per play, atomic play count."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from apps.catalog.models import Track
from apps.streaming.models import PlayEvent
from tests.catalog.fixtures import TrackFactory
from tests.conftest import bearer_client


def url(track) -> str:
    return f"/api/v1/tracks/{track.pk}/plays"


@pytest.mark.django_db
def test_anonymous_play_is_recorded_and_counted(api_client):
    track = TrackFactory()

    response = api_client.post(
        url(track),
        {"source": "search", "client": "web/1.2", "session_id": "s-1", "seconds_played": 31},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["play_count"] == 1
    event = PlayEvent.objects.get()
    assert (event.track_id, event.creator_id, event.listener_id) == (track.pk, track.owner_id, None)
    assert (event.source, event.client, event.session_id, event.seconds_played) == (
        "search",
        "web/1.2",
        "s-1",
        31,
    )
    assert event.country == ""
    assert Track.objects.get(pk=track.pk).play_count == 1


@pytest.mark.django_db
def test_listener_play_records_the_listener(user, user_client):
    track = TrackFactory()
    response = user_client.post(url(track), {"source": "feed"}, format="json")
    assert response.status_code == 201
    assert PlayEvent.objects.get().listener_id == user.pk


@pytest.mark.django_db
def test_country_comes_only_from_the_configured_trusted_header(api_client, settings):
    track = TrackFactory()
    api_client.post(url(track), {}, format="json", HTTP_CF_IPCOUNTRY="FR")
    settings.PLAYS_COUNTRY_HEADER = "CF-IPCountry"
    api_client.post(url(track), {}, format="json", HTTP_CF_IPCOUNTRY="de")
    api_client.post(url(track), {}, format="json", HTTP_CF_IPCOUNTRY="<script>")

    assert list(PlayEvent.objects.order_by("id").values_list("country", flat=True)) == [
        "",
        "DE",
        "",
    ]


@pytest.mark.django_db
def test_bad_play_input_is_refused_and_nothing_counted(api_client):
    track = TrackFactory()
    response = api_client.post(url(track), {"source": "radio", "seconds_played": -5}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"source", "seconds_played"}
    assert PlayEvent.objects.count() == 0
    assert Track.objects.get(pk=track.pk).play_count == 0


@pytest.mark.django_db
def test_plays_of_a_private_track_need_access(api_client):
    track = TrackFactory(visibility="private")
    assert api_client.post(url(track), {}, format="json").status_code == 403
    assert bearer_client(track.owner).post(url(track), {}, format="json").status_code == 201
    assert PlayEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_plays_are_counted_exactly(live_server):
    """Twenty parallel requests on PostgreSQL: no lost update on play_count."""
    track = TrackFactory()
    n = 20
    start = threading.Barrier(n)

    def play(i):
        start.wait()
        return requests.post(
            live_server.url + url(track), json={"session_id": f"s{i}"}, timeout=30
        ).status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        statuses = list(pool.map(play, range(n)))

    assert statuses == [201] * n
    assert Track.objects.get(pk=track.pk).play_count == n
    assert PlayEvent.objects.filter(track=track).count() == n
