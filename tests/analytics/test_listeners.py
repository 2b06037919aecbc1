"""Unique listeners are counted once over any range: never a sum of hourly or daily counts."""

import pytest

from apps.analytics.services import rollup_advance
from tests.analytics.factories import ListenerFactory, TrackFactory, play, utc

DASHBOARD = "/api/v1/creator/analytics/dashboard"
DISCOVERY = "/api/v1/creator/analytics/discovery"


@pytest.mark.django_db
def test_a_listener_across_hours_and_days_is_one_listener_rolled_up_or_not(creator, creator_client):
    tracks = TrackFactory.create_batch(2, owner=creator, duration=200.0)
    fan, other = ListenerFactory(), ListenerFactory()
    for day in (3, 4, 5):
        for hour in (8, 17):
            play(tracks[day % 2], utc(2026, 5, day, hour), listener=fan)
    play(tracks[0], utc(2026, 5, 4, 9), session_id="anon-1")
    play(tracks[1], utc(2026, 5, 5, 9), session_id="anon-1")
    rollup_advance(now=utc(2026, 5, 5))  # days 3 and 4 rolled up, day 5 still raw
    play(tracks[0], utc(2026, 5, 5, 23), listener=other)

    body = creator_client.get(DASHBOARD, {"from": "2026-05-01", "to": "2026-05-07"}).json()
    day_by_day = [
        creator_client.get(DASHBOARD, {"from": f"2026-05-0{d}", "to": f"2026-05-0{d}"}).json()
        for d in (3, 4, 5)
    ]

    assert body["plays"]["current"] == 9
    assert body["listeners"]["current"] == 3  # fan, the anonymous session, other
    assert [day["listeners"]["current"] for day in day_by_day] == [1, 2, 3]


@pytest.mark.django_db
def test_listeners_per_source_class_are_distinct_within_each_class(creator, creator_client):
    track = TrackFactory(owner=creator, duration=200.0)
    fan = ListenerFactory()
    play(track, utc(2026, 5, 3, 8), listener=fan, source="search")
    play(track, utc(2026, 5, 3, 9), listener=fan, source="library")
    play(track, utc(2026, 5, 3, 10), listener=fan, source="feed")
    rollup_advance(now=utc(2026, 5, 3, 9, 30))

    body = creator_client.get(DISCOVERY, {"from": "2026-05-01", "to": "2026-05-07"}).json()

    assert body["classes"] == [
        {"class": "active", "plays": 2, "listeners": 1, "listening_seconds": 120},
        {"class": "programmed", "plays": 1, "listeners": 1, "listening_seconds": 60},
    ]
    by_source = {row["source"]: (row["plays"], row["listeners"]) for row in body["sources"]}
    assert by_source == {
        "search": (1, 1),
        "feed": (1, 1),
        "discover": (0, 0),
        "playlist": (0, 0),
        "library": (1, 1),
        "direct": (0, 0),
        "share": (0, 0),
    }
