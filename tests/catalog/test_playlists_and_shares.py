"""Playlists with ordered entries, and share tokens for private tracks and playlists."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.catalog.models import PlaylistEntry, ShareToken, Track
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, PlaylistFactory, TrackFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error


def positions(playlist) -> list[str]:
    return list(
        PlaylistEntry.objects.filter(playlist=playlist)
        .order_by("position")
        .values_list("track__title", flat=True)
    )


@pytest.mark.django_db
def test_owner_builds_an_ordered_playlist_and_listeners_read_it(api_client):
    owner = CreatorFactory()
    client = bearer_client(owner)
    created = client.post("/api/v1/playlists", {"title": "Mix"}, format="json")
    assert created.status_code == 201
    playlist_id = created.json()["id"]
    a, b, c = (TrackFactory(title=t) for t in "abc")
    tracks_url = f"/api/v1/playlists/{playlist_id}/tracks"

    for track in (a, c):
        assert (
            client.post(tracks_url, {"track_id": str(track.pk)}, format="json").status_code == 201
        )
    inserted = client.post(tracks_url, {"track_id": str(b.pk), "position": 1}, format="json")
    assert inserted.json()["position"] == 1
    duplicate = client.post(tracks_url, {"track_id": str(b.pk)}, format="json")
    assert duplicate.status_code == 400

    listed = api_client.get(tracks_url).json()
    assert [(e["position"], e["track"]["title"]) for e in listed["results"]] == [
        (0, "a"),
        (1, "b"),
        (2, "c"),
    ]
    assert api_client.get(f"/api/v1/playlists/{playlist_id}").json()["track_count"] == 3

    removed = client.delete(tracks_url, {"track_id": str(a.pk)}, format="json")
    assert removed.status_code == 204
    assert list(
        PlaylistEntry.objects.order_by("position").values_list("position", "track__title")
    ) == [(0, "b"), (1, "c")]


@pytest.mark.django_db
def test_only_the_owner_changes_a_playlist():
    playlist = PlaylistFactory(title="Keep")
    other = bearer_client(UserFactory(is_verified=True))
    track = TrackFactory()
    url = f"/api/v1/playlists/{playlist.pk}"

    answers = [
        other.patch(url, {"title": "Mine now"}, format="json"),
        other.post(f"{url}/tracks", {"track_id": str(track.pk)}, format="json"),
        other.delete(url),
    ]

    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [
        (403, "PERMISSION_DENIED")
    ] * 3
    playlist.refresh_from_db()
    assert playlist.title == "Keep"
    assert PlaylistEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_playlist_tracks_query_count_is_constant(api_client, django_assert_num_queries, rows):
    playlist = PlaylistFactory()
    for i in range(rows):
        PlaylistEntry.objects.create(
            playlist=playlist, track=TrackFactory(owner=CreatorFactory()), position=i
        )
    with django_assert_num_queries(2):  # playlist + the page with its total (COUNT OVER)
        response = api_client.get(f"/api/v1/playlists/{playlist.pk}/tracks")
    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_playlist_list_query_count_is_constant(api_client, django_assert_num_queries, rows):
    for _ in range(rows):
        PlaylistFactory(owner=CreatorFactory())
    with django_assert_num_queries(2):
        response = api_client.get("/api/v1/playlists", {"ordering": "title; DROP"})
    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
def test_share_token_unlocks_one_private_track_until_revoked(api_client):
    track = TrackFactory(visibility="private")
    other_private = TrackFactory(visibility="private", owner=track.owner)
    owner = bearer_client(track.owner)

    response = owner.post(f"/api/v1/tracks/{track.pk}/share", {}, format="json")

    assert response.status_code == 201
    token = response.json()["token"]
    assert response.json()["url"].endswith(f"/api/v1/tracks/{track.pk}/stream?share_token={token}")
    share = ShareToken.objects.get()
    assert share.token_hash != token  # stored hashed
    stream = api_client.get(f"/api/v1/tracks/{track.pk}/stream", {"share_token": token})
    assert stream.status_code == 200
    assert stream["Cache-Control"].startswith("private")
    other = api_client.get(f"/api/v1/tracks/{other_private.pk}/stream", {"share_token": token})
    assert other.status_code == 403

    assert owner.delete(f"/api/v1/shares/{share.pk}").status_code == 204
    revoked = api_client.get(f"/api/v1/tracks/{track.pk}/stream", {"share_token": token})
    assert revoked.status_code == 403
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"share.create", "share.revoke"} <= actions


@pytest.mark.django_db
def test_expired_share_token_no_longer_works(api_client):
    track = TrackFactory(visibility="private")
    owner = bearer_client(track.owner)
    token = owner.post(
        f"/api/v1/tracks/{track.pk}/share",
        {"expires_at": (timezone.now() + timedelta(hours=1)).isoformat()},
        format="json",
    ).json()["token"]
    ShareToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_client.get(f"/api/v1/tracks/{track.pk}/stream", {"share_token": token})
    assert response.status_code == 403


@pytest.mark.django_db
def test_only_the_owner_may_share_and_revoke():
    track = TrackFactory()
    stranger = bearer_client(UserFactory(is_verified=True))
    assert stranger.post(f"/api/v1/tracks/{track.pk}/share", {}, format="json").status_code == 403
    token = bearer_client(track.owner).post(f"/api/v1/tracks/{track.pk}/share", {}, format="json")
    share_id = token.json()["id"]
    assert stranger.delete(f"/api/v1/shares/{share_id}").status_code == 404
    assert ShareToken.objects.get().revoked_at is None


@pytest.mark.django_db
def test_playlist_share_token_unlocks_the_playlist_and_its_tracks(api_client):
    playlist = PlaylistFactory(visibility="private")
    track = TrackFactory(visibility="private", owner=playlist.owner)
    PlaylistEntry.objects.create(playlist=playlist, track=track, position=0)
    assert api_client.get(f"/api/v1/playlists/{playlist.pk}").status_code == 403

    token = (
        bearer_client(playlist.owner)
        .post(f"/api/v1/playlists/{playlist.pk}/share", {}, format="json")
        .json()["token"]
    )

    params = {"share_token": token}
    assert api_client.get(f"/api/v1/playlists/{playlist.pk}", params).status_code == 200
    entries = api_client.get(f"/api/v1/playlists/{playlist.pk}/tracks", params).json()
    assert [e["track"]["id"] for e in entries["results"]] == [str(track.pk)]
    assert api_client.get(f"/api/v1/tracks/{track.pk}/stream", params).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_parallel_additions_get_dense_distinct_positions(live_server):
    """Eight tracks added at once to one playlist: the row lock keeps positions 0..7."""
    playlist = PlaylistFactory()
    tracks = [TrackFactory(owner=playlist.owner) for _ in range(8)]
    header = bearer_client(playlist.owner)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(len(tracks))

    def add(track):
        start.wait()
        return requests.post(
            f"{live_server.url}/api/v1/playlists/{playlist.pk}/tracks",
            json={"track_id": str(track.pk), "position": 0},
            headers={"Authorization": header},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=len(tracks)) as pool:
        statuses = list(pool.map(add, tracks))

    assert statuses == [201] * len(tracks)
    rows = list(
        PlaylistEntry.objects.filter(playlist=playlist)
        .order_by("position")
        .values_list("position", "track_id")
    )
    assert [position for position, _ in rows] == list(range(len(tracks)))
    assert {track_id for _, track_id in rows} == {t.pk for t in tracks}


@pytest.fixture
def playlist_of_three():
    owner = CreatorFactory()
    playlist = PlaylistFactory(owner=owner)
    client = bearer_client(owner)
    tracks = [TrackFactory(title=t) for t in "abc"]
    for track in tracks:
        response = client.post(
            f"/api/v1/playlists/{playlist.pk}/tracks", {"track_id": str(track.pk)}, format="json"
        )
        assert response.status_code == 201
    return client, playlist, tracks


@pytest.mark.django_db
def test_a_track_is_removed_by_its_path_and_later_ones_move_up(playlist_of_three):
    client, playlist, (_a, b, _c) = playlist_of_three

    removed = client.delete(f"/api/v1/playlists/{playlist.pk}/tracks/{b.pk}")
    again = client.delete(f"/api/v1/playlists/{playlist.pk}/tracks/{b.pk}")

    assert removed.status_code == 204
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "NOT_FOUND"
    assert positions(playlist) == ["a", "c"]


@pytest.mark.django_db
def test_older_clients_remove_with_a_query_or_the_old_body(playlist_of_three):
    client, playlist, (a, _b, c) = playlist_of_three
    url = f"/api/v1/playlists/{playlist.pk}/tracks"

    by_query = client.delete(f"{url}?track_id={a.pk}")
    by_body = client.delete(url, {"track_id": str(c.pk)}, format="json")
    by_nothing = client.delete(url)

    assert (by_query.status_code, by_body.status_code) == (204, 204)
    assert by_nothing.status_code == 400
    assert by_nothing.json()["error"]["details"] == {"track_id": ["This field is required."]}
    assert positions(playlist) == ["b"]


@pytest.mark.django_db
def test_only_the_owner_removes_a_track_by_its_path(playlist_of_three):
    _, playlist, (a, _b, _c) = playlist_of_three
    other = bearer_client(UserFactory(is_verified=True))

    response = other.delete(f"/api/v1/playlists/{playlist.pk}/tracks/{a.pk}")

    assert response.status_code in (403, 404)
    assert positions(playlist) == ["a", "b", "c"]


@pytest.mark.django_db
def test_the_schema_removes_playlist_tracks_without_a_delete_body(client):
    document = client.get("/api/schema/?format=json").json()
    paths = document["paths"]

    by_path = paths["/api/v1/playlists/{playlist_id}/tracks/{track_id}"]["delete"]
    older = paths["/api/v1/playlists/{playlist_id}/tracks"]["delete"]

    assert "requestBody" not in by_path
    assert "requestBody" not in older
    assert older["deprecated"] is True
    assert [p["name"] for p in older["parameters"] if p["in"] == "query"] == ["track_id"]


@pytest.mark.django_db
def test_playlist_tracks_follow_writes_and_each_callers_rule_after_compiling():
    """Entries are read through SQL compiled per playlist and caller, never kept rows: a
    track made private shows to its owner only, a removed entry and a new one show at once."""
    playlist = PlaylistFactory()
    mine, other = TrackFactory(), TrackFactory()
    for position, track in enumerate((mine, other)):
        PlaylistEntry.objects.create(playlist=playlist, track=track, position=position)
    owner_client, stranger = bearer_client(mine.owner), bearer_client(UserFactory())
    url = f"/api/v1/playlists/{playlist.pk}/tracks"

    def listed(client) -> list[str]:
        return [entry["track"]["id"] for entry in client.get(url).json()["results"]]

    assert listed(owner_client) == listed(stranger) == [str(mine.pk), str(other.pk)]

    Track.objects.filter(pk=mine.pk).update(visibility="private")
    PlaylistEntry.objects.filter(track=other).delete()
    added = TrackFactory(title="added")
    PlaylistEntry.objects.create(playlist=playlist, track=added, position=5)

    assert listed(owner_client) == [str(mine.pk), str(added.pk)]
    assert listed(stranger) == [str(added.pk)]
    body = stranger.get(url).json()
    assert body["count"] == 1
    assert body["results"][0]["position"] == 5
    assert body["results"][0]["track"]["title"] == "added"


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_signed_in_playlist_tracks_are_the_same_queries_for_one_row_or_twenty(
    django_assert_num_queries, rows
):
    playlist = PlaylistFactory()
    for i in range(rows):
        PlaylistEntry.objects.create(
            playlist=playlist, track=TrackFactory(owner=CreatorFactory()), position=i
        )
    client = bearer_client(UserFactory())
    client.get(f"/api/v1/playlists/{playlist.pk}/tracks", {"page_size": 3})
    with django_assert_num_queries(2):  # playlist + the page with its total (user kept)
        response = client.get(f"/api/v1/playlists/{playlist.pk}/tracks")
    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
def test_a_private_playlists_tracks_are_refused_unless_owner_staff_or_shared(api_client):
    """The tracks endpoint decides access from the playlist's id, owner and visibility alone."""
    playlist = PlaylistFactory(visibility="private")
    track = TrackFactory(owner=playlist.owner)
    PlaylistEntry.objects.create(playlist=playlist, track=track, position=0)
    url = f"/api/v1/playlists/{playlist.pk}/tracks"
    token = (
        bearer_client(playlist.owner)
        .post(f"/api/v1/playlists/{playlist.pk}/share", {}, format="json")
        .json()["token"]
    )

    assert_error(api_client.get(url), 403, "PERMISSION_DENIED")
    assert_error(bearer_client(UserFactory()).get(url), 403, "PERMISSION_DENIED")
    assert_error(api_client.get(f"/api/v1/playlists/{uuid.uuid4()}/tracks"), 404, "NOT_FOUND")
    assert_error(api_client.get("/api/v1/playlists/not-a-uuid/tracks"), 404, "NOT_FOUND")
    for client, query in (
        (bearer_client(playlist.owner), {}),
        (bearer_client(UserFactory(is_staff=True)), {}),
        (api_client, {"share_token": token}),
    ):
        body = client.get(url, query).json()
        assert [entry["track"]["id"] for entry in body["results"]] == [str(track.pk)]
