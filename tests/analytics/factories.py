"""Analytics factories: playback events placed at a chosen instant, live sessions, and the
shared assertions of these tests."""

from __future__ import annotations

from datetime import UTC, datetime

import factory
from factory.django import DjangoModelFactory

from apps.analytics.models import LiveSession
from apps.streaming.models import PlayEvent, UncountedReason
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, TrackFactory

__all__ = ["CreatorFactory", "ListenerFactory", "TrackFactory"]


class ListenerFactory(UserFactory):
    is_verified = True


class PlayEventFactory(DjangoModelFactory):
    """A counted event of 60 s; pass ``counted=False, uncounted_reason=...`` for the others."""

    class Meta:
        model = PlayEvent

    track = factory.SubFactory(TrackFactory, duration=200.0)
    creator = factory.LazyAttribute(lambda event: event.track.owner)
    listener = factory.SubFactory(ListenerFactory)
    source = "direct"
    seconds_played = 60
    country = ""
    counted = True
    uncounted_reason = ""


def play(track, at: datetime, *, listener=None, session_id="", **fields) -> PlayEvent:
    """One counted event of ``track`` at ``at`` by ``listener`` (a fresh account when neither
    a listener nor an anonymous ``session_id`` is given)."""
    if listener is None and not session_id:
        listener = ListenerFactory()
    return PlayEventFactory(
        track=track, listener=listener, session_id=session_id, created_at=at, **fields
    )


def own_play(track, at: datetime, **fields) -> PlayEvent:
    return PlayEventFactory(
        track=track,
        listener=track.owner,
        created_at=at,
        counted=False,
        uncounted_reason=UncountedReason.OWN_TRACK,
        **fields,
    )


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class LiveSessionFactory(DjangoModelFactory):
    class Meta:
        model = LiveSession

    creator = factory.SubFactory(CreatorFactory)
    title = factory.Sequence(lambda n: f"Live {n}")
    scheduled_start = factory.LazyFunction(lambda: utc(2026, 6, 1, 20))


def assert_error(response, status: int, code: str) -> dict:
    """The contract's envelope with ``code``; returns its details."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]["details"]
