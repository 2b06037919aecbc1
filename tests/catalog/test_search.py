"""GET /api/v1/search: ranked PostgreSQL full text over tracks, plus artists and playlists."""

import pytest
from django.db import connection

from apps.catalog.models import Track
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, PlaylistFactory, TrackFactory
from tests.conftest import bearer_client

URL = "/api/v1/search"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)


@pytest.mark.django_db
def test_title_matches_rank_above_album_tag_and_description_matches(api_client):
    in_description = TrackFactory(title="One", description="a song about the moon")
    in_tags = TrackFactory(title="Two", tags=["moon"])
    in_album = TrackFactory(title="Three", album="Moon Album")
    in_title = TrackFactory(title="Blue Moon")
    TrackFactory(title="Sun")
    TrackFactory(title="Moon private", visibility="private")
    TrackFactory(title="Moon down", moderation_status="taken_down")

    response = api_client.get(URL, {"q": "moon"})

    assert response.status_code == 200
    titles = [t["title"] for t in response.json()["tracks"]]
    assert titles == [in_title.title, in_album.title, in_tags.title, in_description.title]


@pytest.mark.django_db
def test_search_finds_artists_and_public_playlists(api_client):
    artist = CreatorFactory(username="moonwalker")
    playlist = PlaylistFactory(title="Moon nights")
    PlaylistFactory(title="Moon secrets", visibility="private")

    body = api_client.get(URL, {"q": "moon"}).json()

    assert [a["username"] for a in body["artists"]] == [artist.username]
    assert [p["id"] for p in body["playlists"]] == [str(playlist.pk)]


@pytest.mark.django_db
def test_search_with_operators_or_sql_is_just_text(api_client):
    TrackFactory(title="Moon")
    for q in ["moon' OR 1=1 --", '"unterminated', "-", "a & | ! :*"]:
        response = api_client.get(URL, {"q": q})
        assert response.status_code == 200, q


@pytest.mark.django_db
def test_empty_query_is_a_validation_error(api_client):
    response = api_client.get(URL, {"q": "  "})
    assert response.status_code == 400
    assert "q" in response.json()["error"]["details"]


@pytest.mark.django_db
def test_search_vector_follows_edits():
    track = TrackFactory(title="Before")
    track.title = "Aftermath"
    track.save()
    from apps.catalog.selectors import track_search

    assert [t.id for t in track_search(query="aftermath")] == [track.pk]
    assert track_search(query="before") == []


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_search_query_count_is_constant(api_client, django_assert_num_queries, rows):
    for i in range(rows):
        TrackFactory(title=f"Moon {i}", owner=CreatorFactory())
        PlaylistFactory(title=f"Moon list {i}")
    with django_assert_num_queries(3):
        body = api_client.get(URL, {"q": "moon"}).json()
    assert len(body["tracks"]) == rows
    assert len(body["playlists"]) == rows


@pytest.mark.django_db
def test_a_repeated_search_sees_new_edited_and_taken_down_tracks():
    """The search keeps compiled SQL per query text, never results."""
    client = bearer_client(UserFactory())
    first = TrackFactory(title="Moon one", play_count=1)
    assert [t["id"] for t in client.get(URL, {"q": "moon"}).json()["tracks"]] == [str(first.pk)]

    second = TrackFactory(title="Moon two", play_count=5)
    Track.objects.filter(pk=first.pk).update(album="Edited")
    tracks = client.get(URL, {"q": "moon", "limit": 1}).json()["tracks"]
    assert [t["id"] for t in tracks] == [str(second.pk)]  # same query text, another limit

    Track.objects.filter(pk=second.pk).update(moderation_status="taken_down")
    tracks = client.get(URL, {"q": "moon"}).json()["tracks"]
    assert [(t["id"], t["album"]) for t in tracks] == [(str(first.pk), "Edited")]
    assert client.get(URL, {"q": "sun"}).json()["tracks"] == []
