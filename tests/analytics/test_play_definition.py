"""What a play is (README "Creator analytics"): a counted event of at least 30 s, or of the
whole track when it is shorter; the creator's own plays and repeats never count."""

import pytest

from apps.analytics.services import rollup_advance
from apps.streaming.models import UncountedReason
from tests.analytics.factories import TrackFactory, own_play, play, utc

URL = "/api/v1/creator/analytics/dashboard"
RANGE = {"from": "2026-05-01", "to": "2026-05-31"}
LATER = utc(2026, 7, 1)


def _plays(client) -> dict:
    body = client.get(URL, RANGE).json()
    return {key: body[key]["current"] for key in ("plays", "listeners", "listening_seconds")}


@pytest.mark.django_db
@pytest.mark.parametrize("rolled_up", [False, True], ids=["raw tail", "rollups"])
def test_29_seconds_is_not_a_play_and_30_seconds_is(creator, creator_client, rolled_up):
    track = TrackFactory(owner=creator, duration=200.0)
    play(track, utc(2026, 5, 10, 12), seconds_played=29)
    play(track, utc(2026, 5, 10, 13), seconds_played=30)
    if rolled_up:
        rollup_advance(now=LATER)

    assert _plays(creator_client) == {"plays": 1, "listeners": 1, "listening_seconds": 59}


@pytest.mark.django_db
def test_a_track_shorter_than_30_seconds_played_to_the_end_is_a_play(creator, creator_client):
    track = TrackFactory(owner=creator, duration=19.2)  # seconds are capped at 20
    play(track, utc(2026, 5, 10, 12), seconds_played=20)
    play(track, utc(2026, 5, 10, 12), seconds_played=19)

    assert _plays(creator_client) == {"plays": 1, "listeners": 1, "listening_seconds": 39}


@pytest.mark.django_db
def test_own_plays_and_repeats_within_the_window_never_count(creator, creator_client):
    track = TrackFactory(owner=creator, duration=200.0)
    own_play(track, utc(2026, 5, 10, 12), seconds_played=200)
    play(
        track,
        utc(2026, 5, 10, 12),
        seconds_played=200,
        counted=False,
        uncounted_reason=UncountedReason.DUPLICATE,
    )
    rollup_advance(now=LATER)

    assert _plays(creator_client) == {"plays": 0, "listeners": 0, "listening_seconds": 0}
