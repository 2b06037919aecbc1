"""Query counts depend on neither the number of tracks nor the length of the range."""

import pytest

from apps.analytics.services import rollup_advance
from tests.analytics.factories import ListenerFactory, TrackFactory, play, utc

BASE = "/api/v1/creator/analytics"
# The caller's account, the snapshot's savepoint and its release (in the test's transaction;
# in production: SET TRANSACTION instead), the mark and the tail; then, per report, one
# aggregate per figure plus one for the tail's listeners already in the rollups. Examples:
# plays is the per-bucket sums only; dashboard adds totals and tail listeners for both periods,
# per-track sums, top track titles, followers and sales (course sales, and royalties: whole
# lines and split shares); sales reads no plays at all.
EXPECTED = {
    "dashboard": 14,
    "plays": 6,
    "tracks": 7,
    "discovery": 9,
    "geographic": 7,
    "audience": 13,
    "sales": 4,
}


def _listen(creator, *, tracks: int, days: int) -> None:
    fan = ListenerFactory()
    for n, track in enumerate(TrackFactory.create_batch(tracks, owner=creator, duration=200.0)):
        for day in range(days):
            play(track, utc(2026, 3, 1 + day % 28, n % 24), listener=fan, source="search")
    rollup_advance(now=utc(2026, 3, 20))  # part rolled up, part in the tail
    play(track, utc(2026, 3, 25), listener=fan, source="feed", country="FR")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tracks", "days", "first"),
    [(1, 7, "2026-03-25"), (20, 28, "2026-01-01")],
    ids=["1 track, 7 days", "20 tracks, 90 days"],
)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_report_runs_a_fixed_number_of_queries(
    creator, creator_client, django_assert_num_queries, name, tracks, days, first
):
    _listen(creator, tracks=tracks, days=days)
    span = {"from": first, "to": "2026-03-31"}

    with django_assert_num_queries(EXPECTED[name]):
        response = creator_client.get(f"{BASE}/{name}", {**span, "granularity": "day"})

    assert response.status_code == 200
