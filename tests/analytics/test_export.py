"""The CSV export is the JSON answer flattened: same query, same numbers."""

import csv
import io

import pytest

from apps.analytics.models import LiveViewerEvent
from apps.analytics.services import rollup_advance
from tests.analytics.factories import LiveSessionFactory, TrackFactory, play, utc

BASE = "/api/v1/creator/analytics"
QUERY = {"from": "2026-05-01", "to": "2026-05-14", "tz": "America/New_York"}


def _csv(client, **params) -> list[list[str]]:
    response = client.get(f"{BASE}/export", {**QUERY, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="veza-{params["report"]}-2026-05-01-2026-05-14.csv"'
    )
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _s(value) -> str:
    return "" if value is None else str(value)


@pytest.fixture
def listened(creator):
    tracks = [TrackFactory(owner=creator, duration=200.0, title=f"Song {n}") for n in range(3)]
    for n in range(12):
        play(
            tracks[n % 3],
            utc(2026, 5, 2 + n, 3 + n),
            source=["search", "feed", "share"][n % 3],
            country=["US", "CA", ""][n % 3],
            seconds_played=20 + 5 * n,
        )
    rollup_advance(now=utc(2026, 5, 8))
    return tracks


@pytest.mark.django_db
def test_each_report_exports_the_rows_of_its_json(creator_client, listened):
    plays = creator_client.get(f"{BASE}/plays", {**QUERY, "granularity": "week"}).json()
    assert _csv(creator_client, report="plays", granularity="week") == [
        ["period", "plays", "listening_seconds"],
        *([p["period"], _s(p["plays"]), _s(p["listening_seconds"])] for p in plays["series"]),
    ]
    assert plays["plays"] == 10

    tracks = creator_client.get(f"{BASE}/tracks", {**QUERY, "ordering": "title"}).json()
    assert _csv(creator_client, report="tracks", ordering="title") == [
        ["track", "title", "created_at", "plays", "listening_seconds", "share_of_plays"],
        *(
            [
                r["track"],
                r["title"],
                r["created_at"],
                _s(r["plays"]),
                _s(r["listening_seconds"]),
                _s(r["share_of_plays"]),
            ]
            for r in tracks["results"]
        ),
    ]
    assert [r["title"] for r in tracks["results"]] == ["Song 0", "Song 1", "Song 2"]

    geo = creator_client.get(f"{BASE}/geographic", QUERY).json()
    assert _csv(creator_client, report="geographic")[1:] == [
        [
            _s(c["country"]),
            c["name"],
            _s(c["plays"]),
            _s(c["listeners"]),
            _s(c["listening_seconds"]),
        ]
        for c in geo["countries"]
    ]
    assert geo["unknown_share"] == 0.4  # 4 of the 10 plays

    audience = creator_client.get(f"{BASE}/audience", QUERY).json()
    assert _csv(creator_client, report="audience") == [
        ["metric", "value"],
        ["listeners", _s(audience["listeners"])],
        ["new_listeners", _s(audience["new_listeners"])],
        ["returning_listeners", _s(audience["returning_listeners"])],
        ["rolling_28_day_listeners", _s(audience["rolling_28_day_listeners"])],
        ["segment_super", "0"],
        ["segment_moderate", "0"],
        ["segment_light", "10"],
    ]

    dashboard = creator_client.get(f"{BASE}/dashboard", QUERY).json()
    rows = _csv(creator_client, report="dashboard")
    assert rows[0] == ["section", "key", "label", "current", "previous", "change_percent"]
    assert rows[1] == ["totals", "plays", "", "10", "0", ""]
    assert rows[5:] == [
        ["top_tracks", t["track"], t["title"], _s(t["plays"]), "", ""]
        for t in dashboard["top_tracks"]
    ]

    discovery = creator_client.get(f"{BASE}/discovery", QUERY).json()
    rows = _csv(creator_client, report="discovery")
    assert rows[1:3] == [
        ["class", "", c["class"], _s(c["plays"]), _s(c["listeners"]), _s(c["listening_seconds"])]
        for c in discovery["classes"]
    ]
    assert len(rows) == 1 + 2 + 7


@pytest.mark.django_db
def test_the_live_export_is_the_viewer_series(creator, creator_client):
    session = LiveSessionFactory(creator=creator, ended_at=utc(2026, 6, 1, 20, 2))
    LiveViewerEvent.objects.create(session=session, viewer="a", kind="join", at=utc(2026, 6, 1, 20))

    rows = _csv(creator_client, report="live", stream_id=str(session.pk))
    body = creator_client.get(f"{BASE}/live/{session.pk}").json()

    assert rows == [
        ["at", "viewers"],
        *([p["at"], _s(p["viewers"])] for p in body["series"]["points"]),
    ]
    assert rows[1:] == [
        ["2026-06-01T20:00:00Z", "1"],
        ["2026-06-01T20:01:00Z", "1"],
        ["2026-06-01T20:02:00Z", "0"],
    ]
