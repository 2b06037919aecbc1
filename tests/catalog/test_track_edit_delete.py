"""GET/PATCH/DELETE /api/v1/tracks/{id}: owners and staff change; files go after commit."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.accounts.models import AuditLog
from apps.catalog.models import Track
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client
from tests.storage_backend import stored_names


def url(track) -> str:
    return f"/api/v1/tracks/{track.pk}"


@pytest.mark.django_db
def test_owner_edits_their_track_and_it_is_audited():
    track = TrackFactory(title="Old", tags=["x"])
    response = bearer_client(track.owner).patch(
        url(track), {"title": "New", "tags": ["A", "b"], "visibility": "unlisted"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["tags"]) == ("New", ["a", "b"])
    track.refresh_from_db()
    assert (track.title, track.tags, track.visibility) == ("New", ["a", "b"], "unlisted")
    entry = AuditLog.objects.get(action="track.update")
    assert entry.metadata == {"fields": ["tags", "title", "visibility"]}


@pytest.mark.django_db
def test_someone_else_cannot_edit_or_delete_and_nothing_changes():
    track = TrackFactory(title="Mine")
    other = bearer_client(UserFactory(is_verified=True))

    assert other.patch(url(track), {"title": "Theirs"}, format="json").status_code == 403
    assert other.delete(url(track)).status_code == 403
    track.refresh_from_db()
    assert track.title == "Mine"
    assert not AuditLog.objects.filter(action__in=["track.update", "track.delete"]).exists()


@pytest.mark.django_db
def test_private_track_of_someone_else_is_404_to_edit():
    track = TrackFactory(visibility="private")
    other = bearer_client(UserFactory(is_verified=True))
    assert other.patch(url(track), {"title": "x"}, format="json").status_code == 404


@pytest.mark.django_db
def test_staff_may_edit_any_track(staff_user):
    track = TrackFactory()
    response = bearer_client(staff_user).patch(url(track), {"genre": "Jazz"}, format="json")
    assert response.status_code == 200
    assert Track.objects.get(pk=track.pk).genre == "Jazz"


@pytest.mark.django_db
def test_invalid_edit_is_a_validation_error():
    track = TrackFactory()
    response = bearer_client(track.owner).patch(
        url(track), {"visibility": "everyone", "title": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"visibility", "title"}


@pytest.mark.django_db
def test_delete_removes_the_row_then_the_files_after_commit(
    media_root, django_capture_on_commit_callbacks
):
    track = TrackFactory()
    path = track.audio_file.name
    default_storage.save(f"hls/{track.pk}/64k/index.m3u8", ContentFile(b"#EXTM3U\n"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = bearer_client(track.owner).delete(url(track))
        assert default_storage.exists(path)  # still there until the transaction commits
    assert response.status_code == 204
    for callback in callbacks:
        callback()

    assert not Track.objects.filter(pk=track.pk).exists()
    assert not default_storage.exists(path)
    assert stored_names(f"hls/{track.pk}") == []
    assert not (media_root / "hls" / str(track.pk)).exists()  # no empty folder left on disk
    assert AuditLog.objects.filter(action="track.delete", target_id=str(track.pk)).count() == 1


@pytest.mark.django_db
def test_detail_of_a_public_track_for_anyone(api_client):
    track = TrackFactory()
    response = api_client.get(url(track))
    assert response.status_code == 200
    assert response.json()["id"] == str(track.pk)
    assert response.json()["status"] == "ready"
    assert response.json()["hls_status"] == "none"
