"""GET /api/v1/discover: public tracks ranked by counted plays of the last week, then by all-time
plays (streaming owns it: the ranking reads play events)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.models import ModerationStatus
from apps.streaming.models import PlayEvent, UncountedReason
from tests.catalog.factories import TrackFactory


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["results"]]


def plays(track, n, *, days_ago=0, counted=True):
    when = timezone.now() - timedelta(days=days_ago)
    reason = "" if counted else UncountedReason.DUPLICATE
    PlayEvent.objects.bulk_create(
        PlayEvent(
            track=track,
            creator=track.owner,
            created_at=when,
            counted=counted,
            uncounted_reason=reason,
        )
        for _ in range(n)
    )


@pytest.mark.django_db
def test_discover_orders_by_plays_in_the_last_week(api_client):
    old_hit = TrackFactory(title="old hit", play_count=1000)
    plays(old_hit, 5, days_ago=30)
    rising = TrackFactory(title="rising", play_count=3)
    plays(rising, 3)
    steady = TrackFactory(title="steady", play_count=2)
    plays(steady, 2, days_ago=1)
    hidden = TrackFactory(title="hidden", moderation_status=ModerationStatus.HIDDEN)
    plays(hidden, 50)

    response = api_client.get("/api/v1/discover")

    assert response.status_code == 200
    assert titles(response) == ["rising", "steady", "old hit"]


@pytest.mark.django_db
def test_discover_ignores_plays_that_did_not_count(api_client):
    replayed = TrackFactory(title="replayed", play_count=1)
    plays(replayed, 1)
    plays(replayed, 40, counted=False)
    liked = TrackFactory(title="liked", play_count=2)
    plays(liked, 2)

    response = api_client.get("/api/v1/discover")

    assert response.status_code == 200
    assert titles(response) == ["liked", "replayed"]
