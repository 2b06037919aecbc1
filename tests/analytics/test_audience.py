"""Audience: new vs returning listeners, rolling 28 days, segments; tracks and dashboard."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from apps.analytics.services import rollup_advance
from apps.catalog.models import Follow
from apps.education.models import CourseSale
from tests.analytics.factories import ListenerFactory, TrackFactory, play, utc
from tests.conftest import bearer_client
from tests.distribution.factories import (
    DistributableTrackFactory,
    import_report,
    paid_creator,
    report,
    report_line,
    submit,
)
from tests.education.factories import CourseFactory

seed_plans = importlib.import_module("apps.billing.migrations.0002_seed_plans").seed_plans

BASE = "/api/v1/creator/analytics"
MAY = {"from": "2026-05-01", "to": "2026-05-31"}


@pytest.mark.django_db
def test_new_returning_rolling_and_segments(creator, creator_client):
    track = TrackFactory(owner=creator, duration=200.0)
    loyal, newcomer, lapsed = ListenerFactory.create_batch(3)
    play(track, utc(2026, 3, 1), listener=lapsed)
    play(track, utc(2026, 4, 20), listener=loyal)
    for day in range(1, 11):
        play(track, utc(2026, 5, day), listener=loyal)
    for day in (2, 3, 4):
        play(track, utc(2026, 5, day, 12), listener=newcomer)
    rollup_advance(now=utc(2026, 5, 3, 12, 30))
    play(track, utc(2026, 5, 20), session_id="tab-1")  # the tail, anonymous

    body = creator_client.get(f"{BASE}/audience", MAY).json()

    assert body["listeners"] == 3
    assert (body["new_listeners"], body["returning_listeners"]) == (2, 1)
    assert body["rolling_28_day_listeners"] == 3  # May 4..31: loyal, newcomer, the tab
    assert (body["rolling_from"], body["rolling_to"]) == ("2026-05-04", "2026-05-31")
    assert body["segments"] == {"super": 1, "moderate": 1, "light": 1}


@pytest.mark.django_db
def test_the_dashboard_compares_with_the_previous_period(creator, creator_client, media_root):
    tracks = [TrackFactory(owner=creator, duration=200.0, title=f"Song {n}") for n in range(2)]
    for n in range(3):
        play(tracks[0], utc(2026, 5, 5 + n))
    play(tracks[1], utc(2026, 5, 9))
    play(tracks[1], utc(2026, 4, 9))
    play(tracks[1], utc(2026, 4, 10))
    for fan in ListenerFactory.create_batch(2):
        Follow.objects.create(follower=fan, followee=creator, created_at=utc(2026, 5, 6))
    course = CourseFactory(owner=creator, price=Decimal("20.00"), currency="EUR")
    buyer = bearer_client(ListenerFactory())
    assert buyer.post(f"/api/v1/courses/{course.slug}/enroll").status_code == 201
    CourseSale.objects.update(sold_at=utc(2026, 5, 7, 22, 30))
    rollup_advance(now=utc(2026, 5, 6))

    body = creator_client.get(f"{BASE}/dashboard", {**MAY, "tz": "Europe/Paris"}).json()

    assert (body["previous_from"], body["previous_to"]) == ("2026-03-31", "2026-04-30")
    assert body["plays"] == {"current": 4, "previous": 2, "change_percent": 100.0}
    assert body["listeners"] == {"current": 4, "previous": 2, "change_percent": 100.0}
    assert body["listening_seconds"] == {"current": 240, "previous": 120, "change_percent": 100.0}
    assert body["followers_gained"] == {"current": 2, "previous": 0, "change_percent": None}
    assert body["revenue"] == [
        {"currency": "EUR", "current": "20.00", "previous": "0.00", "change_percent": None}
    ]
    assert [(t["title"], t["plays"]) for t in body["top_tracks"]] == [("Song 0", 3), ("Song 1", 1)]

    sales = creator_client.get(f"{BASE}/sales", {**MAY, "tz": "Europe/Paris"}).json()
    assert sales["days"] == [
        {
            "date": "2026-05-08",
            "source": "courses",
            "currency": "EUR",
            "count": 1,
            "amount": "20.00",
        }
    ]
    assert sales["totals"] == [
        {"currency": "EUR", "source": "courses", "count": 1, "amount": "20.00"}
    ]


@pytest.mark.django_db
def test_royalties_paid_to_the_creator_are_a_sales_source_on_their_sale_month():
    seed_plans(apps, None)  # a transactional test elsewhere may have flushed the seeded plans
    creator = paid_creator()
    track = DistributableTrackFactory(owner=creator)
    isrc = submit(creator, track).isrc
    import_report(report(report_line(isrc, earnings="2.50", sale_month="2026-01")))

    response = bearer_client(creator).get(
        "/api/v1/creator/analytics/sales", {"from": "2026-01-01", "to": "2026-01-31"}
    )

    assert response.status_code == 200
    body = response.json()
    royalties = [row for row in body["totals"] if row["source"] == "royalties"]
    assert royalties == [{"source": "royalties", "currency": "USD", "count": 1, "amount": "2.50"}]
