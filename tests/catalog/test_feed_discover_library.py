"""Feed (followed creators), follows and the listener's library; discover's query count (its
ordering is in tests/streaming/test_discover.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.models import Follow, LibraryEntry
from apps.streaming.models import PlayEvent
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, TrackFactory
from tests.conftest import bearer_client


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["results"]]


def plays(track, n, *, days_ago=0):
    when = timezone.now() - timedelta(days=days_ago)
    PlayEvent.objects.bulk_create(
        PlayEvent(track=track, creator=track.owner, created_at=when) for _ in range(n)
    )


@pytest.mark.django_db
def test_follow_unfollow_is_idempotent_and_self_follow_refused():
    fan, artist = UserFactory(is_verified=True), CreatorFactory()
    client = bearer_client(fan)
    url = f"/api/v1/users/{artist.pk}/follow"

    assert client.post(url).json() == {"following": True}
    assert client.post(url).json() == {"following": True}
    assert Follow.objects.filter(follower=fan, followee=artist).count() == 1
    assert client.delete(url).json() == {"following": False}
    assert Follow.objects.count() == 0
    response = client.post(f"/api/v1/users/{fan.pk}/follow")
    assert response.status_code == 400
    assert Follow.objects.count() == 0


@pytest.mark.django_db
def test_feed_lists_recent_listable_tracks_of_followed_creators_with_a_cursor():
    fan = UserFactory(is_verified=True)
    followed, ignored = CreatorFactory(), CreatorFactory()
    Follow.objects.create(follower=fan, followee=followed)
    now = timezone.now()
    for i in range(3):
        TrackFactory(owner=followed, title=f"f{i}", created_at=now - timedelta(hours=i))
    TrackFactory(owner=followed, title="private", visibility="private")
    TrackFactory(owner=ignored, title="other")
    client = bearer_client(fan)

    first = client.get("/api/v1/feed", {"page_size": 2})

    assert first.status_code == 200
    assert "count" not in first.json()
    assert titles(first) == ["f0", "f1"]
    second = client.get(first.json()["next"])
    assert titles(second) == ["f2"]
    assert second.json()["next"] is None


@pytest.mark.django_db
def test_feed_needs_login(api_client):
    assert api_client.get("/api/v1/feed").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_feed_and_discover_query_counts_are_constant(django_assert_num_queries, rows):
    fan = UserFactory(is_verified=True)
    for _ in range(rows):
        creator = CreatorFactory()
        Follow.objects.create(follower=fan, followee=creator)
        plays(TrackFactory(owner=creator), 1)
    client = bearer_client(fan)
    with django_assert_num_queries(2):  # the bearer's user (first request), the page
        assert len(titles(client.get("/api/v1/feed"))) == rows
    with django_assert_num_queries(1):  # the page (the user is kept: veza.api.bearer_users)
        assert len(titles(client.get("/api/v1/discover"))) == rows


@pytest.mark.django_db
def test_library_save_list_unsave():
    fan = UserFactory(is_verified=True)
    first, second = TrackFactory(title="first"), TrackFactory(title="second")
    client = bearer_client(fan)

    assert client.put(f"/api/v1/library/tracks/{first.pk}").status_code == 204
    assert client.put(f"/api/v1/library/tracks/{second.pk}").status_code == 204
    assert client.put(f"/api/v1/library/tracks/{second.pk}").status_code == 204
    listed = client.get("/api/v1/library").json()
    assert [e["track"]["title"] for e in listed["results"]] == ["second", "first"]
    assert client.delete(f"/api/v1/library/tracks/{first.pk}").status_code == 204
    assert list(LibraryEntry.objects.values_list("track__title", flat=True)) == ["second"]


@pytest.mark.django_db
def test_a_private_track_of_someone_else_cannot_be_saved():
    fan = UserFactory(is_verified=True)
    private = TrackFactory(visibility="private")
    response = bearer_client(fan).put(f"/api/v1/library/tracks/{private.pk}")
    assert response.status_code == 403
    assert LibraryEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_library_query_count_is_constant(django_assert_num_queries, rows):
    fan = UserFactory(is_verified=True)
    for _ in range(rows):
        LibraryEntry.objects.create(user=fan, track=TrackFactory(owner=CreatorFactory()))
    client = bearer_client(fan)
    with django_assert_num_queries(3):  # user + count + page
        assert len(client.get("/api/v1/library").json()["results"]) == rows


@pytest.mark.django_db
def test_the_feed_pages_through_every_track_once_and_sees_new_ones():
    fan, creator = UserFactory(is_verified=True), CreatorFactory()
    Follow.objects.create(follower=fan, followee=creator)
    now = timezone.now()
    for i in range(7):
        TrackFactory(owner=creator, title=f"t{i}", created_at=now - timedelta(minutes=i))
    client = bearer_client(fan)

    seen, url = [], "/api/v1/feed?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [item["title"] for item in body["results"]]
        url = body["next"]
    TrackFactory(owner=creator, title="newest", created_at=now + timedelta(minutes=1))
    first = titles(client.get("/api/v1/feed?page_size=3"))
    back = client.get(client.get("/api/v1/feed?page_size=3").json()["next"]).json()["previous"]

    assert seen == [f"t{i}" for i in range(7)]
    assert first == ["newest", "t0", "t1"]
    assert titles(client.get(back)) == ["newest", "t0", "t1"]


@pytest.mark.django_db
def test_another_readers_feed_is_their_own():
    fan, other, creator = UserFactory(), UserFactory(), CreatorFactory()
    Follow.objects.create(follower=fan, followee=creator)
    TrackFactory(owner=creator, title="followed")
    assert titles(bearer_client(fan).get("/api/v1/feed")) == ["followed"]
    assert titles(bearer_client(other).get("/api/v1/feed")) == []
