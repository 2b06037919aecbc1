"""Plays over time: zero-filled periods in the caller's zone, right across DST changes."""

import pytest

from apps.analytics.services import rollup_advance
from tests.analytics.factories import TrackFactory, play, utc

URL = "/api/v1/creator/analytics/plays"


@pytest.fixture
def track(creator):
    return TrackFactory(owner=creator, duration=200.0)


@pytest.mark.django_db
def test_days_are_local_and_zero_filled_across_the_spring_dst_change_in_paris(
    creator_client, track
):
    # Paris: 2026-03-29 02:00 +01:00 became 03:00 +02:00 (a 23-hour day).
    play(track, utc(2026, 3, 28, 23, 30))  # 00:30 on the 29th in Paris
    play(track, utc(2026, 3, 29, 21, 59))  # 23:59 on the 29th (+02:00)
    play(track, utc(2026, 3, 29, 22, 0))  # 00:00 on the 30th
    rollup_advance(now=utc(2026, 4, 2))
    play(track, utc(2026, 3, 29, 21, 30))  # the tail: 23:30 on the 29th

    response = creator_client.get(
        URL, {"from": "2026-03-27", "to": "2026-03-30", "tz": "Europe/Paris"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["series"] == [
        {"period": "2026-03-27T00:00:00+01:00", "plays": 0, "listening_seconds": 0},
        {"period": "2026-03-28T00:00:00+01:00", "plays": 0, "listening_seconds": 0},
        {"period": "2026-03-29T00:00:00+01:00", "plays": 3, "listening_seconds": 180},
        {"period": "2026-03-30T00:00:00+02:00", "plays": 1, "listening_seconds": 60},
    ]
    assert (body["plays"], body["from"], body["to"], body["tz"]) == (
        4,
        "2026-03-27",
        "2026-03-30",
        "Europe/Paris",
    )
    # The same events in UTC days.
    utc_days = creator_client.get(URL, {"from": "2026-03-28", "to": "2026-03-29"}).json()
    assert [point["plays"] for point in utc_days["series"]] == [1, 3]


@pytest.mark.django_db
def test_the_spring_day_has_23_hours_and_the_autumn_day_25_in_paris(creator_client, track):
    play(track, utc(2026, 3, 29, 1, 15))  # 03:15 +02:00, just after the gap
    play(track, utc(2026, 10, 25, 0, 10))  # 02:10 +02:00, the first 02:00 hour
    play(track, utc(2026, 10, 25, 1, 10))  # 02:10 +01:00, the second one
    rollup_advance(now=utc(2026, 11, 1))

    spring = creator_client.get(
        URL, {"from": "2026-03-29", "to": "2026-03-29", "tz": "Europe/Paris", "granularity": "hour"}
    ).json()["series"]
    autumn = creator_client.get(
        URL, {"from": "2026-10-25", "to": "2026-10-25", "tz": "Europe/Paris", "granularity": "hour"}
    ).json()["series"]

    assert len(spring) == 23
    assert [p["period"] for p in spring[1:3]] == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
    ]
    assert [p["plays"] for p in spring] == [0, 0, 1] + [0] * 20
    assert len(autumn) == 25
    assert [(p["period"], p["plays"]) for p in autumn[2:4]] == [
        ("2026-10-25T02:00:00+02:00", 1),
        ("2026-10-25T02:00:00+01:00", 1),
    ]
    assert sum(p["plays"] for p in autumn) == 2


@pytest.mark.django_db
def test_half_hour_zones_get_exact_local_days(creator_client, track):
    play(track, utc(2026, 5, 9, 18, 29))  # 23:59 on the 9th in Kolkata (+05:30)
    play(track, utc(2026, 5, 9, 18, 30))  # 00:00 on the 10th
    rollup_advance(now=utc(2026, 6, 1))

    series = creator_client.get(
        URL, {"from": "2026-05-09", "to": "2026-05-10", "tz": "Asia/Kolkata"}
    ).json()["series"]

    assert [(p["period"], p["plays"]) for p in series] == [
        ("2026-05-09T00:00:00+05:30", 1),
        ("2026-05-10T00:00:00+05:30", 1),
    ]


@pytest.mark.django_db
def test_weeks_start_on_monday_and_months_on_the_first(creator_client, track):
    play(track, utc(2026, 5, 31, 12))  # a Sunday
    play(track, utc(2026, 6, 1, 12))  # a Monday
    rollup_advance(now=utc(2026, 7, 1))

    weeks = creator_client.get(
        URL, {"from": "2026-05-25", "to": "2026-06-07", "granularity": "week"}
    ).json()["series"]
    months = creator_client.get(
        URL, {"from": "2026-05-25", "to": "2026-06-07", "granularity": "month"}
    ).json()["series"]

    assert [(p["period"], p["plays"]) for p in weeks] == [
        ("2026-05-25T00:00:00+00:00", 1),
        ("2026-06-01T00:00:00+00:00", 1),
    ]
    assert [(p["period"], p["plays"]) for p in months] == [
        ("2026-05-01T00:00:00+00:00", 1),
        ("2026-06-01T00:00:00+00:00", 1),
    ]
