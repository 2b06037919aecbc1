"""POST /api/v1/tracks/{id}/plays: every event recorded; a play counts once per listener, track
and window; anonymous callers rate limited per IP (README "Security model", play counts)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.catalog.models import Track
from apps.streaming.models import PlayEvent
from apps.streaming.services import play_window_seconds
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client


def url(track) -> str:
    return f"/api/v1/tracks/{track.pk}/plays"


@pytest.mark.django_db
def test_anonymous_play_is_recorded_and_counted(api_client):
    track = TrackFactory(duration=240.0)

    response = api_client.post(
        url(track),
        {"source": "search", "client": "web/1.2", "session_id": "s-1", "seconds_played": 31},
        format="json",
    )

    assert response.status_code == 201
    assert response.json() == {
        "id": PlayEvent.objects.get().pk,
        "track": str(track.pk),
        "play_count": 1,
        "counted": True,
        "seconds_played": 31,
    }
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
def test_concurrent_plays_of_different_listeners_are_counted_exactly(live_server):
    """Twenty listeners in parallel on PostgreSQL: no lost update on play_count."""
    track = TrackFactory()
    n = 20
    headers = [bearer_client(UserFactory())._credentials["HTTP_AUTHORIZATION"] for _ in range(n)]
    start = threading.Barrier(n)

    def play(i):
        start.wait()
        return requests.post(
            live_server.url + url(track), json={}, headers={"Authorization": headers[i]}, timeout=30
        ).status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        statuses = list(pool.map(play, range(n)))

    assert statuses == [201] * n
    assert Track.objects.get(pk=track.pk).play_count == n
    assert PlayEvent.objects.filter(track=track, counted=True).count() == n


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "signed-in"])
def test_parallel_duplicate_plays_of_one_listener_count_once(live_server, anonymous):
    """Twenty identical plays at once (one listener, one track) on PostgreSQL and Redis: all
    recorded, exactly one counted, whatever session ids the client invents."""
    track = TrackFactory(duration=180.0)
    listener = UserFactory()
    headers = (
        {}
        if anonymous
        else {"Authorization": bearer_client(listener)._credentials["HTTP_AUTHORIZATION"]}
    )
    n = 20
    start = threading.Barrier(n)

    def play(i):
        start.wait()
        return requests.post(
            live_server.url + url(track),
            json={"session_id": f"invented-{i}"},
            headers=headers,
            timeout=30,
        ).json()

    with ThreadPoolExecutor(max_workers=n) as pool:
        bodies = list(pool.map(play, range(n)))

    assert sorted(body["counted"] for body in bodies) == [False] * (n - 1) + [True]
    assert Track.objects.get(pk=track.pk).play_count == 1
    events = PlayEvent.objects.filter(track=track)
    assert events.count() == n
    assert sorted(events.values_list("uncounted_reason", flat=True)) == [""] + ["duplicate"] * (
        n - 1
    )
    assert set(events.values_list("listener_id", flat=True)) == {None if anonymous else listener.pk}


@pytest.mark.slow  # waits for Redis to expire the duplicate key (a real clock)
@pytest.mark.django_db
def test_a_play_counts_again_once_the_window_has_passed(api_client, settings):
    settings.PLAYS_DEDUP_MIN_SECONDS = 1
    track = TrackFactory(duration=None)  # window: the (shortened) minimum

    first = api_client.post(url(track), {}, format="json").json()
    again = api_client.post(url(track), {}, format="json").json()
    time.sleep(1.2)
    later = api_client.post(url(track), {}, format="json").json()

    assert [first["counted"], again["counted"], later["counted"]] == [True, False, True]
    assert Track.objects.get(pk=track.pk).play_count == 2


@pytest.mark.django_db
def test_the_window_is_the_length_of_the_track_at_least_30_seconds(settings):
    assert play_window_seconds(TrackFactory(duration=2.0)) == 30
    assert play_window_seconds(TrackFactory(duration=None)) == 30
    assert play_window_seconds(TrackFactory(duration=180.2)) == 181
    settings.PLAYS_DEDUP_MIN_SECONDS = 600
    assert play_window_seconds(TrackFactory(duration=180.2)) == 600


@pytest.mark.django_db
def test_the_duplicate_key_expires_after_the_window():
    track = TrackFactory(duration=95.5)
    APIClient().post(url(track), {}, format="json")
    (key,) = cache.keys("plays:counted:*")
    assert 90 < cache.ttl(key) <= 96


@pytest.mark.django_db
def test_different_tracks_and_different_listeners_each_count():
    first, second = TrackFactory(), TrackFactory()
    fan, other = bearer_client(UserFactory()), bearer_client(UserFactory())
    for client in (fan, other):
        for track in (first, second):
            assert client.post(url(track), {}, format="json").json()["counted"] is True
    assert fan.post(url(first), {}, format="json").json()["counted"] is False
    assert list(Track.objects.order_by("pk").values_list("play_count", flat=True)) == [2, 2]


@pytest.mark.django_db
def test_anonymous_listeners_are_told_apart_by_address_not_by_session_id():
    track = TrackFactory()
    client = APIClient()
    a = client.post(url(track), {"session_id": "a"}, format="json", REMOTE_ADDR="198.51.100.7")
    b = client.post(url(track), {"session_id": "b"}, format="json", REMOTE_ADDR="198.51.100.7")
    v6_a = client.post(url(track), {}, format="json", REMOTE_ADDR="2001:db8:1:2::1")
    v6_b = client.post(url(track), {}, format="json", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    v6_c = client.post(url(track), {}, format="json", REMOTE_ADDR="2001:db8:1:3::1")
    other = client.post(url(track), {}, format="json", REMOTE_ADDR="203.0.113.9")

    counted = [r.json()["counted"] for r in (a, b, v6_a, v6_b, v6_c, other)]
    assert counted == [True, False, True, False, True, True]
    assert Track.objects.get(pk=track.pk).play_count == 4
    assert list(PlayEvent.objects.order_by("id").values_list("session_id", flat=True))[:2] == [
        "a",
        "b",
    ]


@pytest.mark.django_db
def test_the_creators_own_plays_are_recorded_but_never_counted():
    track = TrackFactory()
    response = bearer_client(track.owner).post(url(track), {"seconds_played": 1}, format="json")

    assert response.status_code == 201
    assert response.json()["counted"] is False
    assert response.json()["play_count"] == 0
    event = PlayEvent.objects.get()
    assert (event.counted, event.uncounted_reason, event.listener_id) == (
        False,
        "own_track",
        track.owner_id,
    )
    assert Track.objects.get(pk=track.pk).play_count == 0


@pytest.mark.django_db
def test_seconds_played_is_capped_by_the_length_of_the_track(api_client):
    track = TrackFactory(duration=95.2)
    response = api_client.post(url(track), {"seconds_played": 86400}, format="json")
    assert response.json()["seconds_played"] == 96
    assert PlayEvent.objects.get().seconds_played == 96


@pytest.mark.django_db
def test_anonymous_plays_are_rate_limited_per_ip_with_retry_after(settings):
    """300 anonymous plays in a burst from one address: 120 recorded, 3 counted, 180 refused."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "plays_anonymous_ip": "120/h"}
    tracks = [TrackFactory() for _ in range(3)]
    client = APIClient()

    statuses = [
        client.post(url(tracks[i % 3]), {"session_id": f"s{i}"}, format="json").status_code
        for i in range(300)
    ]

    assert statuses.count(201) == 120
    assert statuses[120:] == [429] * 180
    limited = client.post(url(tracks[0]), {}, format="json")
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert int(limited["Retry-After"]) >= 1
    assert PlayEvent.objects.count() == 120
    # One counted play per track: the other 117 recorded events were repeats of one address.
    assert sorted(Track.objects.values_list("play_count", flat=True)) == [1, 1, 1]
    assert PlayEvent.objects.filter(counted=True).count() == 3
    # Another address and signed-in listeners are not limited by it.
    other = client.post(url(tracks[0]), {}, format="json", REMOTE_ADDR="203.0.113.9")
    signed_in = bearer_client(UserFactory()).post(url(tracks[0]), {}, format="json")
    assert (other.status_code, signed_in.status_code) == (201, 201)


@pytest.mark.django_db
def test_duplicates_do_not_move_trending(api_client):
    steady, spammed = TrackFactory(title="steady"), TrackFactory(title="spammed")
    for ip in ("198.51.100.1", "198.51.100.2"):
        api_client.post(url(steady), {}, format="json", REMOTE_ADDR=ip)
    for _ in range(50):
        api_client.post(url(spammed), {}, format="json", REMOTE_ADDR="198.51.100.3")

    titles = [t["title"] for t in api_client.get("/api/v1/discover").json()["results"]]

    assert titles == ["steady", "spammed"]
    assert PlayEvent.objects.filter(track=spammed).count() == 50


@pytest.mark.django_db
def test_a_play_is_not_counted_while_the_duplicate_check_is_unavailable(api_client, monkeypatch):
    from apps.streaming import services

    monkeypatch.setattr(services, "guarded", lambda operation, default: default)
    track = TrackFactory()

    response = api_client.post(url(track), {}, format="json")

    assert response.status_code == 201
    assert response.json()["counted"] is False
    assert PlayEvent.objects.get().uncounted_reason == "unverified"
    assert Track.objects.get(pk=track.pk).play_count == 0
