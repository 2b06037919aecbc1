"""A track at a streaming platform cannot vanish (shared/API.md, DELETE /api/v1/tracks/{id}):
while a release is pending, submitted, processing, live or being taken down, deleting its
track is refused with 409 TRACK_DISTRIBUTED and nothing changes; once taken down (or never
sent) it may go. Erasing the account is never refused: its takedowns are requested first."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from apps.accounts.models import AuditLog
from apps.catalog.models import Track
from apps.distribution import services
from apps.distribution.models import (
    ChangeSource,
    Distribution,
    PlatformRelease,
    ReleaseStatus,
)
from apps.distribution.providers import SandboxProvider
from apps.gdpr.services import account_erase
from tests.conftest import bearer_client
from tests.distribution.factories import DistributableTrackFactory, paid_creator, release_in


def _delete(user, track_id):
    return bearer_client(user).delete(f"/api/v1/tracks/{track_id}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", ["pending", "submitted", "processing", "live", "takedown_requested"]
)
def test_deleting_a_track_at_a_platform_or_on_its_way_is_refused_and_changes_nothing(status):
    release = release_in(status)
    track = Track.objects.get(pk=release.track_id)
    owner = track.owner
    audio = track.audio_file.name
    assert default_storage.exists(audio)

    response = _delete(owner, track.pk)

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "TRACK_DISTRIBUTED",
        "message": (
            "This track is on a streaming platform or on its way there: take its "
            "distribution down first (POST /api/v1/distributions/{id}/takedown), then delete "
            "the track once every platform has taken it down."
        ),
        "details": {
            "distributions": [str(release.distribution_id)],
            "releases": [f"spotify: {status}"],
        },
    }
    assert Track.objects.filter(pk=track.pk).exists()
    assert Distribution.objects.filter(pk=release.distribution_id).exists()
    assert PlatformRelease.objects.get(pk=release.pk).status == status
    assert default_storage.exists(audio)
    assert not AuditLog.objects.filter(action="track.delete").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "rejected", "failed", "taken_down"])
def test_a_release_never_sent_or_no_longer_at_the_platform_does_not_hold_the_track(status):
    release = release_in(status)
    track = Track.objects.get(pk=release.track_id)

    response = _delete(track.owner, track.pk)

    assert response.status_code == 204
    assert not Track.objects.filter(pk=track.pk).exists()
    assert not PlatformRelease.objects.filter(pk=release.pk).exists()
    assert AuditLog.objects.filter(action="track.delete", target_id=str(track.pk)).exists()


@pytest.mark.django_db
def test_the_track_can_be_deleted_once_its_distribution_is_taken_down(monkeypatch):
    monkeypatch.setattr(SandboxProvider, "take_down", lambda self, **kwargs: None)
    release = release_in("live")
    owner = Track.objects.get(pk=release.track_id).owner
    takedown = bearer_client(owner).post(
        f"/api/v1/distributions/{release.distribution_id}/takedown"
    )
    assert takedown.status_code == 200, takedown.content

    while_taking_down = _delete(owner, release.track_id)
    services.release_transition(
        release=PlatformRelease.objects.get(pk=release.pk),
        to_status=ReleaseStatus.TAKEN_DOWN,
        source=ChangeSource.PROVIDER,
    )
    after = _delete(owner, release.track_id)

    assert while_taking_down.status_code == 409
    assert after.status_code == 204
    assert not Track.objects.filter(pk=release.track_id).exists()


@pytest.mark.django_db
def test_erasing_the_account_deletes_a_live_track_after_requesting_its_takedown(
    monkeypatch, staff_user
):
    told = []
    monkeypatch.setattr(
        SandboxProvider,
        "take_down",
        lambda self, *, release, idempotency_key: told.append(release.pk),
    )
    release = release_in("live")
    owner = Track.objects.get(pk=release.track_id).owner

    account_erase(user=owner, keep_public_tracks=False, staff=staff_user, reason="Support")

    assert told == [release.pk]  # the provider was told before the rows went
    assert not Track.objects.filter(pk=release.track_id).exists()
    assert not PlatformRelease.objects.filter(pk=release.pk).exists()
    assert AuditLog.objects.filter(
        action="distribution.takedown", target_id=str(release.distribution_id)
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_a_deletion_and_a_submission_of_one_track_at_once_never_both_succeed():
    """The deletion and the submission both lock the track row: either the track is deleted
    and the submission finds no track (404), or the release exists and the deletion is
    refused (409). Never a release cascaded away right after it was sent."""
    owner = paid_creator()
    for _ in range(4):
        track = DistributableTrackFactory(owner=owner)
        start = threading.Barrier(2)
        answers = {}

        def delete(track_id=track.pk, start=start, answers=answers):
            try:
                client = bearer_client(owner)
                start.wait()
                answers["delete"] = client.delete(f"/api/v1/tracks/{track_id}").status_code
            finally:
                connection.close()

        def submit(track_id=track.pk, start=start, answers=answers):
            try:
                client = bearer_client(owner)
                start.wait()
                answers["submit"] = client.post(
                    "/api/v1/distributions",
                    {"track": str(track_id), "platforms": ["spotify"], "is_explicit": False},
                    format="json",
                ).status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=delete), threading.Thread(target=submit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        outcome = (answers["delete"], answers["submit"])
        assert outcome in ((204, 404), (409, 201)), outcome
        track_exists = Track.objects.filter(pk=track.pk).exists()
        assert track_exists == (outcome == (409, 201))
        assert PlatformRelease.objects.filter(track_id=track.pk).exists() == track_exists
