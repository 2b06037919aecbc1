"""The rollup job: incremental, idempotent, and the same numbers as the raw events."""

import pytest

from apps.analytics.models import ListenerRollup, PlayRollup, RollupState
from apps.analytics.services import rollup_advance, rollup_rebuild
from apps.analytics.tasks import rollup_advance as rollup_task
from tests.analytics.factories import ListenerFactory, TrackFactory, play, utc

REPORTS = ["dashboard", "plays", "tracks", "discovery", "geographic", "audience"]
RANGE = {"from": "2026-05-01", "to": "2026-05-31", "tz": "Europe/Paris"}


def _rows():
    return (
        sorted(
            PlayRollup.objects.values_list(
                "track_id", "bucket", "source", "country", "plays", "listening_seconds"
            )
        ),
        sorted(
            ListenerRollup.objects.values_list(
                "bucket", "listener", "source", "country", "plays", "listening_seconds"
            )
        ),
    )


def _answers(client) -> dict:
    answers = {}
    for name in REPORTS:
        body = client.get(f"/api/v1/creator/analytics/{name}", RANGE).json()
        body.pop("data_through")
        answers[name] = body
    return answers


@pytest.fixture
def listened(creator):
    tracks = TrackFactory.create_batch(3, owner=creator, duration=200.0)
    fans = ListenerFactory.create_batch(3)
    for n in range(24):
        play(
            tracks[n % 3],
            utc(2026, 5, 1 + n, n % 24, (n * 7) % 60),
            listener=fans[n % 3],
            source=["search", "feed", "playlist"][n % 3],
            country=["FR", "DE", ""][n % 2],
            seconds_played=25 + n,
        )
    return tracks


@pytest.mark.django_db
def test_running_the_job_twice_gives_the_same_rows_and_numbers(creator_client, listened):
    raw = _answers(creator_client)

    rollup_advance(now=utc(2026, 7, 1))
    first = _rows()
    rollup_task.delay()  # the beat task, a second run: nothing above the mark
    rollup_advance(now=utc(2026, 7, 1))

    assert _rows() == first
    assert sum(row[4] for row in first[0]) == 19  # 25..48 s: 19 events of 30 s or more
    assert _answers(creator_client) == raw


@pytest.mark.django_db
def test_a_rebuild_recomputes_the_same_rows(creator_client, listened, staff_user):
    rollup_advance(now=utc(2026, 7, 1))
    before = _rows()
    answers = _answers(creator_client)
    PlayRollup.objects.update(plays=99)  # damaged behind the job's back

    events = rollup_rebuild(start=utc(2026, 4, 1), end=utc(2026, 7, 1), actor=staff_user)

    assert events == 24
    assert _rows() == before
    assert _answers(creator_client) == answers


@pytest.mark.django_db
def test_the_job_takes_only_events_older_than_the_lag_and_endpoints_read_the_rest_raw(
    creator, creator_client
):
    track = TrackFactory(owner=creator, duration=200.0)
    old = play(track, utc(2026, 5, 10, 12, 0, 0))
    recent = play(track, utc(2026, 5, 10, 12, 0, 50))

    rollup_advance(now=utc(2026, 5, 10, 12, 1, 0))  # the lag is 30 s

    assert RollupState.objects.get().last_event_id == old.pk
    assert PlayRollup.objects.get().plays == 1
    assert recent.pk > old.pk
    body = creator_client.get("/api/v1/creator/analytics/dashboard", RANGE).json()
    assert body["plays"]["current"] == 2


@pytest.mark.django_db
def test_a_late_event_with_an_old_timestamp_lands_in_its_own_bucket(creator, creator_client):
    track = TrackFactory(owner=creator, duration=200.0)
    play(track, utc(2026, 5, 1, 12))
    play(track, utc(2026, 5, 20, 12))
    rollup_advance(now=utc(2026, 6, 1))
    untouched = PlayRollup.objects.get(bucket=utc(2026, 5, 20, 12)).pk

    play(track, utc(2026, 5, 1, 12, 10))  # recorded late, id above the mark
    rollup_advance(now=utc(2026, 6, 1))

    assert sorted(PlayRollup.objects.values_list("bucket", "plays")) == [
        (utc(2026, 5, 1, 12), 2),
        (utc(2026, 5, 20, 12), 1),
    ]
    assert PlayRollup.objects.get(bucket=utc(2026, 5, 20, 12)).pk == untouched
    body = creator_client.get("/api/v1/creator/analytics/dashboard", RANGE).json()
    assert body["plays"]["current"] == 3
