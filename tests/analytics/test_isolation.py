"""Only ever the caller's own content: a second creator walks every endpoint, export and live
included, with the first creator's ids and sees nothing of theirs."""

import csv
import io

import pytest

from apps.analytics.services import rollup_advance
from tests.analytics.factories import (
    CreatorFactory,
    ListenerFactory,
    LiveSessionFactory,
    TrackFactory,
    assert_error,
    play,
    utc,
)
from tests.conftest import bearer_client
from tests.education.factories import CourseFactory

BASE = "/api/v1/creator/analytics"
RANGE = {"from": "2026-05-01", "to": "2026-05-31"}
REPORTS = ["dashboard", "plays", "tracks", "discovery", "geographic", "audience", "sales"]


@pytest.fixture
def first_creator_content(creator):
    track = TrackFactory(owner=creator, duration=200.0, title="First's secret track")
    for n in range(3):
        play(track, utc(2026, 5, 10, n), country="FR", source="search")
    rollup_advance(now=utc(2026, 5, 10, 1, 30))
    play(track, utc(2026, 5, 10, 5), listener=ListenerFactory(), country="FR")  # the tail
    session = LiveSessionFactory(creator=creator)
    course = CourseFactory(owner=creator, slug="first-secret-course")
    return track, session, course


def _numbers(body) -> list[int]:
    """Every integer in an answer, wherever it is."""
    if isinstance(body, dict):
        return [n for value in body.values() for n in _numbers(value)]
    if isinstance(body, list):
        return [n for value in body for n in _numbers(value)]
    return [body] if isinstance(body, int) and not isinstance(body, bool) else []


@pytest.mark.django_db
def test_a_second_creator_sees_none_of_the_first_creators_data(first_creator_content):
    track, session, course = first_creator_content
    other = bearer_client(CreatorFactory())
    secrets = (str(track.pk), track.title, str(session.pk), "FR")

    for name in REPORTS:
        response = other.get(f"{BASE}/{name}", RANGE)
        assert response.status_code == 200, name
        assert not any(secret in response.content.decode() for secret in secrets), name
        assert set(_numbers(response.json())) <= {0}, name
        export = other.get(f"{BASE}/export", {**RANGE, "report": name})
        assert export.status_code == 200, name
        text = b"".join(export.streaming_content).decode()
        assert not any(secret in text for secret in secrets), name
        rows = list(csv.reader(io.StringIO(text)))[1:]
        assert all(
            cell in ("", "0", "0.0", "None") or not cell.isdigit() for row in rows for cell in row
        )

    assert_error(other.get(f"{BASE}/live/{session.pk}"), 404, "NOT_FOUND")
    assert_error(
        other.get(f"{BASE}/export", {**RANGE, "report": "live", "stream_id": session.pk}),
        404,
        "NOT_FOUND",
    )
    assert_error(
        other.post(
            f"{BASE}/live/{session.pk}/events",
            {"events": [{"viewer": "x", "kind": "join", "at": "2026-06-01T20:00:00Z"}]},
            format="json",
        ),
        404,
        "NOT_FOUND",
    )
    for path, params in [
        ("plays", {"track": track.pk}),
        ("sales", {"course": course.slug}),
        ("export", {"report": "plays", "track": track.pk}),
        ("export", {"report": "sales", "course": course.slug}),
    ]:
        assert_error(other.get(f"{BASE}/{path}", {**RANGE, **params}), 404, "NOT_FOUND")
    assert other.get(f"{BASE}/live").json()["count"] == 0
    assert session.events.count() == 0


@pytest.mark.django_db
def test_the_first_creator_does_see_their_own_data(creator_client, first_creator_content):
    track, session, course = first_creator_content

    body = creator_client.get(f"{BASE}/tracks", RANGE).json()
    one_track = creator_client.get(f"{BASE}/plays", {**RANGE, "track": track.pk}).json()
    one_course = creator_client.get(f"{BASE}/sales", {**RANGE, "course": course.slug}).json()

    assert [(row["track"], row["plays"]) for row in body["results"]] == [(str(track.pk), 4)]
    assert (one_track["track"], one_track["plays"]) == (str(track.pk), 4)
    assert (one_course["course"], one_course["days"]) == (course.slug, [])
    assert creator_client.get(f"{BASE}/live/{session.pk}").status_code == 200


@pytest.mark.django_db
def test_a_listener_is_refused_with_creator_role_required(api_client):
    listener = bearer_client(ListenerFactory())

    for name in [*REPORTS, "export?report=plays", "live"]:
        assert_error(listener.get(f"{BASE}/{name}"), 403, "CREATOR_ROLE_REQUIRED")
    assert_error(
        listener.post(f"{BASE}/live", {"title": "x", "scheduled_start": "2026-06-01T20:00:00Z"}),
        403,
        "CREATOR_ROLE_REQUIRED",
    )
    assert_error(api_client.get(f"{BASE}/dashboard"), 401, "AUTHENTICATION_REQUIRED")
