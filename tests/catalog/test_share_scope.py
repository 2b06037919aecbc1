"""A share token grants no more than its creator could grant, and lists show what the caller
may open right now (shared/API.md, Catalog and streaming: "the token lets anyone stream that
one track"; playlists are "shared by token like tracks")."""

import itertools
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.catalog import selectors
from apps.catalog.models import LibraryEntry, PlaylistEntry, ShareToken, Track
from apps.streaming.models import PlayEvent
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, PlaylistFactory, TrackFactory
from tests.conftest import bearer_client
from veza.api.exceptions import ApplicationError

HLS_NAMES = ("master.m3u8", "64k/index.m3u8", "64k/seg_00000.ts")


def _hls_files(media_root, track):
    base = f"hls/{track.pk}"
    default_storage.save(f"{base}/master.m3u8", ContentFile(b"#EXTM3U\n64k/index.m3u8\n"))
    default_storage.save(
        f"{base}/64k/index.m3u8", ContentFile(b"#EXTM3U\nseg_00000.ts\n#EXT-X-ENDLIST\n")
    )
    default_storage.save(f"{base}/64k/seg_00000.ts", ContentFile(b"\x47" * 188))


def _share_playlist(playlist) -> str:
    response = bearer_client(playlist.owner).post(
        f"/api/v1/playlists/{playlist.pk}/share", {}, format="json"
    )
    assert response.status_code == 201
    return response.json()["token"]


@pytest.fixture
def make_private(django_capture_on_commit_callbacks):
    """The owner makes a track private over HTTP; the commit hooks (cache bumps) run."""

    def make(track) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = bearer_client(track.owner).patch(
                f"/api/v1/tracks/{track.pk}", {"visibility": "private"}, format="json"
            )
        assert response.status_code == 200

    return make


def _listed_ids(response) -> list[str]:
    assert response.status_code == 200
    return [entry["track"]["id"] for entry in response.json()["results"]]


@pytest.mark.django_db
def test_a_playlist_share_no_longer_opens_someone_elses_track_made_private_after_it_was_added(
    api_client, hls_on, media_root, make_private
):
    curator = CreatorFactory()
    playlist = PlaylistFactory(owner=curator, visibility="private")
    theirs = TrackFactory(title="theirs", hls_status="ready")
    mine = TrackFactory(title="mine", owner=curator, visibility="private")
    _hls_files(media_root, theirs)
    curator_client = bearer_client(curator)
    for track in (theirs, mine):
        added = curator_client.post(
            f"/api/v1/playlists/{playlist.pk}/tracks", {"track_id": str(track.pk)}, format="json"
        )
        assert added.status_code == 201
    token = _share_playlist(playlist)
    params = {"share_token": token}
    base = f"/api/v1/tracks/{theirs.pk}"
    assert api_client.get(f"{base}/stream", params).status_code == 200

    make_private(theirs)

    for path in ("", "/stream", "/download", *(f"/hls/{name}" for name in HLS_NAMES)):
        response = api_client.get(f"{base}{path}", params)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "PERMISSION_DENIED"
    plays = api_client.post(f"{base}/plays?share_token={token}", {}, format="json")
    assert plays.status_code == 403
    assert PlayEvent.objects.count() == 0
    # The curator's own private track still opens through the curator's playlist share.
    assert api_client.get(f"/api/v1/tracks/{mine.pk}/stream", params).status_code == 200
    listed = api_client.get(f"/api/v1/playlists/{playlist.pk}/tracks", params)
    assert _listed_ids(listed) == [str(mine.pk)]
    # The curator may not see it either; its owner and staff still do.
    assert curator_client.get(f"{base}/stream").status_code == 403
    assert _listed_ids(curator_client.get(f"/api/v1/playlists/{playlist.pk}/tracks")) == [
        str(mine.pk)
    ]
    assert bearer_client(theirs.owner).get(f"{base}/stream").status_code == 200


@pytest.mark.django_db
def test_anonymous_playlist_listing_hides_a_track_made_private_after_it_was_added(
    api_client, staff_user, make_private
):
    playlist = PlaylistFactory()
    kept, hidden = TrackFactory(title="kept"), TrackFactory(title="hidden")
    for position, track in enumerate((kept, hidden)):
        PlaylistEntry.objects.create(playlist=playlist, track=track, position=position)
    url = f"/api/v1/playlists/{playlist.pk}/tracks"
    assert _listed_ids(api_client.get(url)) == [str(kept.pk), str(hidden.pk)]  # now cached

    make_private(hidden)

    assert _listed_ids(api_client.get(url)) == [str(kept.pk)]
    assert _listed_ids(bearer_client(UserFactory()).get(url)) == [str(kept.pk)]
    assert _listed_ids(bearer_client(staff_user).get(url)) == [str(kept.pk), str(hidden.pk)]


@pytest.mark.django_db
def test_a_share_of_one_playlist_does_not_unlock_the_tracks_of_another(api_client):
    owner = CreatorFactory()
    shared, other = PlaylistFactory(owner=owner), PlaylistFactory(owner=owner)
    secret = TrackFactory(owner=owner, visibility="private")
    PlaylistEntry.objects.create(playlist=other, track=secret, position=0)
    token = _share_playlist(shared)

    response = api_client.get(f"/api/v1/tracks/{secret.pk}/stream", {"share_token": token})
    listed = api_client.get(f"/api/v1/playlists/{other.pk}/tracks", {"share_token": token})

    assert response.status_code == 403
    assert _listed_ids(listed) == []


@pytest.mark.django_db
def test_library_no_longer_lists_a_track_saved_through_a_share_that_was_revoked(
    django_capture_on_commit_callbacks,
):
    fan = UserFactory(is_verified=True)
    fan_client = bearer_client(fan)
    secret = TrackFactory(title="secret", visibility="private")
    public = TrackFactory(title="public")
    created = bearer_client(secret.owner).post(
        f"/api/v1/tracks/{secret.pk}/share", {}, format="json"
    )
    token, share_id = created.json()["token"], created.json()["id"]
    saved = fan_client.put(f"/api/v1/library/tracks/{secret.pk}?share_token={token}")
    assert saved.status_code == 204
    assert fan_client.put(f"/api/v1/library/tracks/{public.pk}").status_code == 204

    with django_capture_on_commit_callbacks(execute=True):
        revoked = bearer_client(secret.owner).delete(f"/api/v1/shares/{share_id}")

    assert revoked.status_code == 204
    assert _listed_ids(fan_client.get("/api/v1/library")) == [str(public.pk)]
    assert LibraryEntry.objects.filter(user=fan).count() == 2  # the row stays; it is hidden
    assert fan_client.get(f"/api/v1/tracks/{secret.pk}", {"share_token": token}).status_code == 403


@pytest.mark.django_db
def test_library_no_longer_lists_a_saved_track_its_owner_made_private_but_the_owner_still_does(
    make_private,
):
    fan = UserFactory(is_verified=True)
    track = TrackFactory(title="soon private")
    for client in (bearer_client(fan), bearer_client(track.owner)):
        assert client.put(f"/api/v1/library/tracks/{track.pk}").status_code == 204

    make_private(track)

    assert _listed_ids(bearer_client(fan).get("/api/v1/library")) == []
    assert _listed_ids(bearer_client(track.owner).get("/api/v1/library")) == [str(track.pk)]


@pytest.mark.django_db
def test_a_track_share_still_opens_its_own_track_everywhere(api_client):
    track = TrackFactory(visibility="private")
    token = (
        bearer_client(track.owner)
        .post(f"/api/v1/tracks/{track.pk}/share", {}, format="json")
        .json()["token"]
    )
    params = {"share_token": token}
    for path in ("", "/stream", "/download"):
        assert api_client.get(f"/api/v1/tracks/{track.pk}{path}", params).status_code == 200
    played = api_client.post(
        f"/api/v1/tracks/{track.pk}/plays?share_token={token}", {}, format="json"
    )
    assert played.status_code == 201


def _callers(track_owner, staff):
    return {
        "anonymous": AnonymousUser(),
        "stranger": UserFactory(),
        "owner": track_owner,
        "staff": staff,
    }


@pytest.mark.django_db
def test_the_single_access_check_and_the_list_rule_agree_on_every_case(staff_user):
    """``track_access`` (one row, 404/403) and ``tracks_visible_q`` (lists) are one rule."""
    owner = CreatorFactory()
    callers = _callers(owner, staff_user)
    cases = itertools.product(
        ("ready", "processing", "failed"),
        ("active", "hidden", "taken_down"),
        ("public", "unlisted", "private"),
    )
    for status, moderation, visibility in cases:
        track = TrackFactory(
            owner=owner, status=status, moderation_status=moderation, visibility=visibility
        )
        for name, user in callers.items():
            try:
                selectors.track_access(track_id=track.pk, user=user)
                allowed = True
            except ApplicationError:
                allowed = False
            listed = (
                Track.objects.filter(pk=track.pk)
                .filter(selectors.tracks_visible_q(user=user))
                .exists()
            )
            assert allowed == listed, (status, moderation, visibility, name)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_shared_playlist_listing_query_count_is_constant(
    api_client, django_assert_num_queries, rows
):
    playlist = PlaylistFactory(visibility="private")
    for i in range(rows):
        track = TrackFactory(owner=playlist.owner if i % 2 else CreatorFactory())
        PlaylistEntry.objects.create(playlist=playlist, track=track, position=i)
    token = _share_playlist(playlist)
    with django_assert_num_queries(5):  # share + playlist, share again, count, page
        response = api_client.get(f"/api/v1/playlists/{playlist.pk}/tracks", {"share_token": token})
    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
def test_a_playlists_track_count_counts_only_what_the_caller_may_open(api_client, make_private):
    playlist = PlaylistFactory()
    others = TrackFactory()
    own_private = TrackFactory(owner=playlist.owner, visibility="private")
    for position, track in enumerate((others, own_private, TrackFactory())):
        PlaylistEntry.objects.create(playlist=playlist, track=track, position=position)
    make_private(others)
    token = _share_playlist(playlist)
    detail = f"/api/v1/playlists/{playlist.pk}"

    counts = {
        "anonymous": api_client.get(detail).json()["track_count"],
        "shared": api_client.get(detail, {"share_token": token}).json()["track_count"],
        "owner": bearer_client(playlist.owner).get(detail).json()["track_count"],
        "listed": api_client.get("/api/v1/playlists").json()["results"][0]["track_count"],
        "mine": bearer_client(playlist.owner)
        .get("/api/v1/playlists", {"mine": "true"})
        .json()["results"][0]["track_count"],
    }

    assert counts == {"anonymous": 1, "shared": 2, "owner": 2, "listed": 1, "mine": 2}


@pytest.mark.django_db
def test_library_lists_a_track_saved_through_a_valid_link_until_the_link_stops_granting_it(
    django_capture_on_commit_callbacks, make_private
):
    fan = UserFactory(is_verified=True)
    fan_client = bearer_client(fan)
    secret = TrackFactory(title="secret", visibility="private")
    created = bearer_client(secret.owner).post(
        f"/api/v1/tracks/{secret.pk}/share", {}, format="json"
    )
    token = created.json()["token"]
    curator = CreatorFactory()
    playlist = PlaylistFactory(owner=curator)
    own = TrackFactory(title="curated own", owner=curator, visibility="private")
    borrowed = TrackFactory(title="curated borrowed")
    for position, track in enumerate((own, borrowed)):
        PlaylistEntry.objects.create(playlist=playlist, track=track, position=position)
    playlist_token = _share_playlist(playlist)
    for track, link in ((secret, token), (own, playlist_token), (borrowed, playlist_token)):
        saved = fan_client.put(f"/api/v1/library/tracks/{track.pk}?share_token={link}")
        assert saved.status_code == 204
    assert str(LibraryEntry.objects.get(user=fan, track=secret).share_id) == created.json()["id"]
    assert LibraryEntry.objects.get(user=fan, track=borrowed).share_id is None  # public

    listed = _listed_ids(fan_client.get("/api/v1/library"))

    assert listed == [str(borrowed.pk), str(own.pk), str(secret.pk)]
    make_private(borrowed)  # the curator's link never granted it: gone
    with django_capture_on_commit_callbacks(execute=True):
        bearer_client(secret.owner).delete(f"/api/v1/shares/{created.json()['id']}")
    assert _listed_ids(fan_client.get("/api/v1/library")) == [str(own.pk)]


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.django_db
def test_library_query_count_is_constant_with_entries_saved_through_links(
    django_assert_num_queries, rows
):
    fan = UserFactory(is_verified=True)
    for _ in range(rows):
        track = TrackFactory(owner=CreatorFactory(), visibility="private")
        share = ShareToken.objects.create(
            token_hash=uuid.uuid4().hex, track=track, created_by=track.owner
        )
        LibraryEntry.objects.create(user=fan, track=track, share=share)
    client = bearer_client(fan)
    with django_assert_num_queries(3):  # user + count + page
        assert len(client.get("/api/v1/library").json()["results"]) == rows


@pytest.mark.django_db
def test_the_access_check_and_the_list_rule_agree_on_what_each_kind_of_share_grants():
    owner, curator = CreatorFactory(), CreatorFactory()
    theirs_playlist = PlaylistFactory(owner=curator)
    own_playlist = PlaylistFactory(owner=owner)

    def share(**target):
        token = uuid.uuid4().hex
        created_by = (target.get("playlist") or target.get("track")).owner
        ShareToken.objects.create(
            token_hash=selectors.token_hash(token), created_by=created_by, **target
        )
        return token

    for position, visibility in enumerate(("public", "unlisted", "private")):
        track = TrackFactory(owner=owner, visibility=visibility)
        for playlist in (theirs_playlist, own_playlist):
            PlaylistEntry.objects.create(playlist=playlist, track=track, position=position)
        tokens = {
            "track": share(track=track),
            "own playlist": share(playlist=own_playlist),
            "someone else's playlist": share(playlist=theirs_playlist),
            "other track": share(track=TrackFactory(owner=owner, visibility="private")),
        }
        for name, token in tokens.items():
            try:
                selectors.track_access(track_id=track.pk, user=AnonymousUser(), share_token=token)
                allowed = True
            except ApplicationError:
                allowed = False
            listed = (
                Track.objects.filter(pk=track.pk)
                .filter(
                    selectors.tracks_visible_q(
                        user=AnonymousUser(), share=selectors.share_token_find(token)
                    )
                )
                .exists()
            )
            expected = visibility != "private" or name in ("track", "own playlist")
            assert (allowed, listed) == (expected, expected), (visibility, name)
