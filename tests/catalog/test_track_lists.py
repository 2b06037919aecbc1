"""GET /api/v1/tracks: only listable tracks, filters, ordering whitelist, pagination, queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.models import Track
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, TrackFactory
from tests.conftest import bearer_client

URL = "/api/v1/tracks"


def ids(response) -> list[str]:
    return ids_of(response.json())


def ids_of(body) -> list[str]:
    return [item["id"] for item in body["results"]]


@pytest.mark.django_db
def test_list_shows_only_ready_public_active_tracks(api_client):
    listed = TrackFactory()
    TrackFactory(visibility="private")
    TrackFactory(visibility="unlisted")
    TrackFactory(status="processing")
    TrackFactory(status="failed")
    TrackFactory(moderation_status="hidden")
    TrackFactory(moderation_status="taken_down")

    response = api_client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert ids(response) == [str(listed.pk)]
    item = response.json()["results"][0]
    assert item["owner"]["username"] == listed.owner.username
    assert item["stream_url"] == f"/api/v1/tracks/{listed.pk}/stream"
    assert item["hls_url"] is None


@pytest.mark.django_db
def test_filters_by_genre_owner_and_tag(api_client):
    alice = CreatorFactory()
    jazz = TrackFactory(owner=alice, genre="Jazz", tags=["night", "piano"])
    rock = TrackFactory(genre="Rock", tags=["loud"])

    assert ids(api_client.get(URL, {"genre": "jazz"})) == [str(jazz.pk)]
    assert ids(api_client.get(URL, {"owner": str(alice.pk)})) == [str(jazz.pk)]
    assert ids(api_client.get(URL, {"tag": "Loud"})) == [str(rock.pk)]
    assert ids(api_client.get(URL, {"tag": "pian"})) == []


@pytest.mark.django_db
def test_a_malformed_owner_filter_is_a_validation_error(api_client):
    response = api_client.get(URL, {"owner": "nope"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["owner"]


@pytest.fixture
def three_tracks():
    now = timezone.now()
    return [
        TrackFactory(title="b", play_count=5, duration=30, created_at=now - timedelta(days=2)),
        TrackFactory(title="c", play_count=1, duration=10, created_at=now - timedelta(days=1)),
        TrackFactory(title="a", play_count=9, duration=20, created_at=now),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "titles"),
    [
        ("title", ["a", "b", "c"]),
        ("-title", ["c", "b", "a"]),
        ("-play_count", ["a", "b", "c"]),
        ("play_count", ["c", "b", "a"]),
        ("duration", ["c", "a", "b"]),
        ("created_at", ["b", "c", "a"]),
        ("-created_at", ["a", "c", "b"]),
    ],
)
def test_whitelisted_orderings(api_client, three_tracks, ordering, titles):
    response = api_client.get(URL, {"ordering": ordering})
    assert [item["title"] for item in response.json()["results"]] == titles


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ordering",
    [
        "password",
        "owner__password",
        "-owner__email",
        "title; DROP TABLE catalog_track;--",
        "(SELECT 1)",
        "title,play_count",
        "--title",
        "",
        "\x00",
        "\uff34\uff29\uff34\uff2c\uff25",
        "sha256",
    ],
)
def test_anything_else_falls_back_to_newest_first_never_an_error(
    api_client, three_tracks, ordering
):
    response = api_client.get(URL, {"ordering": ordering})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == ["a", "c", "b"]


@pytest.mark.django_db
def test_pagination(api_client):
    TrackFactory.create_batch(5)
    first = api_client.get(URL, {"page_size": 2})
    assert first.json()["count"] == 5
    assert len(first.json()["results"]) == 2
    assert "page=2" in first.json()["next"]
    last = api_client.get(URL, {"page_size": 2, "page": 3})
    assert len(last.json()["results"]) == 1
    assert last.json()["next"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_does_not_grow_with_rows(api_client, django_assert_num_queries, rows):
    for _ in range(rows):
        TrackFactory(owner=CreatorFactory())
    with django_assert_num_queries(1):  # the page with its total (owner and profile joined)
        response = api_client.get(URL)
    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
def test_a_signed_in_list_sees_every_write_between_two_calls():
    """The list keeps compiled SQL, never rows: a new, edited or taken-down track shows at once."""
    client = bearer_client(UserFactory())
    kept = TrackFactory(title="kept")
    client.get(URL)  # compiles the list's SQL and count

    added = TrackFactory(title="added")
    Track.objects.filter(pk=kept.pk).update(title="edited", play_count=7)
    first = client.get(URL).json()

    assert first["count"] == 2
    assert [(item["id"], item["title"]) for item in first["results"]] == [
        (str(added.pk), "added"),
        (str(kept.pk), "edited"),
    ]
    assert first["results"][1]["play_count"] == 7

    Track.objects.filter(pk=added.pk).update(moderation_status="taken_down")
    second = client.get(URL).json()

    assert second["count"] == 1
    assert ids_of(second) == [str(kept.pk)]


@pytest.mark.django_db
def test_each_filter_value_reads_its_own_tracks_after_another_was_compiled():
    client = bearer_client(UserFactory())
    alice, bob = CreatorFactory(), CreatorFactory()
    jazz = TrackFactory(owner=alice, title="a", genre="Jazz", tags=["night"])
    rock = TrackFactory(owner=bob, title="b", genre="Rock", tags=["loud"])
    jazz_id, rock_id = str(jazz.pk), str(rock.pk)

    for _ in range(2):  # the second round reads SQL compiled by the first
        assert ids_of(client.get(URL, {"genre": "jazz"}).json()) == [jazz_id]
        assert ids_of(client.get(URL, {"genre": "rock"}).json()) == [rock_id]
        assert ids_of(client.get(URL, {"owner": str(alice.pk)}).json()) == [jazz_id]
        assert ids_of(client.get(URL, {"owner": str(bob.pk)}).json()) == [rock_id]
        assert ids_of(client.get(URL, {"tag": "night"}).json()) == [jazz_id]
        assert ids_of(client.get(URL, {"tag": "loud"}).json()) == [rock_id]
        assert ids_of(client.get(URL, {"genre": "jazz", "tag": "loud"}).json()) == []
        assert client.get(URL, {"genre": "rock"}).json()["count"] == 1
        assert ids_of(client.get(URL, {"ordering": "title"}).json()) == [jazz_id, rock_id]
        assert ids_of(client.get(URL, {"ordering": "-title"}).json()) == [rock_id, jazz_id]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_a_signed_in_list_is_the_same_queries_for_one_row_or_twenty(
    django_assert_num_queries, rows
):
    client = bearer_client(UserFactory())
    for _ in range(rows):
        TrackFactory(owner=CreatorFactory())
    client.get(URL, {"page_size": 5})  # another page size: the same compiled SQL
    with django_assert_num_queries(1):  # the page with its total (the bearer user is kept)
        response = client.get(URL)
    assert len(response.json()["results"]) == rows
