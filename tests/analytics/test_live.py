"""Live sessions: scheduled by the creator, viewers reported by the streaming server with the
creator's write-scoped API key, figures during and after the session."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.services import api_key_create
from apps.analytics.models import LiveSession, LiveViewerEvent
from tests.analytics.factories import LiveSessionFactory, assert_error, utc
from tests.conftest import bearer_client
from veza.audit import RequestMeta

LIVE = "/api/v1/creator/analytics/live"
START = utc(2026, 6, 1, 20)


def _key_client(user, scopes) -> APIClient:
    _key, raw = api_key_create(
        user=user, name="streaming server", scopes=scopes, meta=RequestMeta()
    )
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return client


def _at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


@pytest.mark.django_db
def test_a_creator_schedules_a_session_and_lists_it(creator, creator_client):
    response = creator_client.post(
        LIVE, {"title": "Release party", "scheduled_start": START.isoformat()}, format="json"
    )

    assert response.status_code == 201
    session = LiveSession.objects.get()
    assert (session.creator, session.title, session.scheduled_start) == (
        creator,
        "Release party",
        START,
    )
    listed = creator_client.get(LIVE).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == str(session.pk)


@pytest.mark.django_db
def test_viewer_events_give_peak_total_average_and_a_series(creator, creator_client):
    session = LiveSessionFactory(creator=creator, scheduled_start=START)
    server = _key_client(creator, ["write"])
    batch = {
        "events": [
            {"viewer": "a", "kind": "join", "at": _at(0)},
            {"viewer": "b", "kind": "join", "at": _at(1)},
            {"viewer": "c", "kind": "join", "at": _at(2)},
            {"viewer": "a", "kind": "leave", "at": _at(3)},
            {"viewer": "b", "kind": "leave", "at": _at(4)},
            {"viewer": "a", "kind": "join", "at": _at(5)},
        ],
        "ended_at": _at(6),
    }

    first = server.post(f"{LIVE}/{session.pk}/events", batch, format="json")
    again = server.post(f"{LIVE}/{session.pk}/events", batch, format="json")  # a retry

    assert (first.status_code, first.json()) == (201, {"received": 6})
    assert again.status_code == 201
    assert LiveViewerEvent.objects.count() == 6
    body = creator_client.get(f"{LIVE}/{session.pk}").json()
    assert body["peak_concurrent_viewers"] == 3
    assert body["peak_at"] == "2026-06-01T20:02:00Z"
    assert body["total_viewers"] == 3
    # a: 3 + 1 minutes, b: 3, c: 4 (until the end) -> 11 minutes over 3 viewers
    assert body["average_watch_seconds"] == 220.0
    assert body["ended_at"] == "2026-06-01T20:06:00Z"
    assert body["is_live"] is False
    assert body["series"]["step_seconds"] == 60
    assert [p["viewers"] for p in body["series"]["points"]] == [1, 2, 3, 2, 1, 2, 0]


@pytest.mark.django_db
def test_during_the_session_viewers_still_watching_count_up_to_now(creator):
    session = LiveSessionFactory(creator=creator, scheduled_start=START)
    LiveViewerEvent.objects.create(session=session, viewer="a", kind="join", at=START)

    with freeze_time(START + timedelta(minutes=10)):
        body = bearer_client(creator).get(f"{LIVE}/{session.pk}").json()

    assert (body["is_live"], body["total_viewers"], body["average_watch_seconds"]) == (
        True,
        1,
        600.0,
    )


@pytest.mark.django_db
def test_a_read_only_key_cannot_report_viewers(creator):
    session = LiveSessionFactory(creator=creator)

    response = _key_client(creator, ["read"]).post(
        f"{LIVE}/{session.pk}/events",
        {"events": [{"viewer": "a", "kind": "join", "at": _at(0)}]},
        format="json",
    )

    assert_error(response, 403, "API_KEY_SCOPE")
    assert not LiveViewerEvent.objects.exists()


@pytest.mark.django_db
def test_events_in_the_future_are_refused(creator):
    session = LiveSessionFactory(creator=creator)

    with freeze_time(START):
        response = _key_client(creator, ["write"]).post(
            f"{LIVE}/{session.pk}/events",
            {"events": [{"viewer": "a", "kind": "join", "at": _at(60)}]},
            format="json",
        )

    assert assert_error(response, 400, "VALIDATION_ERROR") == {
        "events": ["Events cannot be in the future."]
    }
    assert not LiveViewerEvent.objects.exists()
