"""What the response cache and the cache headers must never do: serve one host's links to
another, outlive a share token, or let a shared cache keep an error answer."""

import pytest
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error

TRACKS = "/api/v1/tracks?page_size=1"


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["api.veza.example", "evil.veza.example"])
def test_a_forged_allowed_host_does_not_poison_the_links_others_are_served(client):
    TrackFactory.create_batch(2)

    forged = client.get(TRACKS, HTTP_HOST="evil.veza.example")
    honest = client.get(TRACKS, HTTP_HOST="api.veza.example")

    assert forged.json()["next"].startswith("http://evil.veza.example/")
    assert honest["X-Cache"] == "MISS"
    assert honest.json()["next"].startswith("http://api.veza.example/")
    assert client.get(TRACKS, HTTP_HOST="api.veza.example")["X-Cache"] == "HIT"


@pytest.mark.django_db
def test_a_share_token_response_is_never_cached_so_it_dies_with_the_token(client):
    track = TrackFactory(visibility="private")
    owner = bearer_client(track.owner)
    with freeze_time(timezone.now()) as clock:
        expires_at = (timezone.now() + timezone.timedelta(hours=1)).isoformat()
        token = owner.post(
            f"/api/v1/tracks/{track.pk}/share", {"expires_at": expires_at}, format="json"
        ).json()["token"]
        detail = f"/api/v1/tracks/{track.pk}?share_token={token}"

        first = client.get(detail)
        second = client.get(detail)
        clock.tick(2 * 3600)
        expired = client.get(detail)

    assert first.status_code == second.status_code == 200
    assert first["X-Cache"] == second["X-Cache"] == "MISS"
    assert_error(expired, 403, "PERMISSION_DENIED")


@pytest.mark.django_db
def test_an_hls_403_for_a_private_track_is_no_store(hls_on, client):
    track = TrackFactory(visibility="private", hls_status="ready")

    response = client.get(f"/api/v1/tracks/{track.pk}/hls/master.m3u8")

    assert_error(response, 403, "PERMISSION_DENIED")
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_error_answers_are_no_store_whatever_the_path(client):
    missing = client.get("/api/v1/tracks/00000000-0000-0000-0000-000000000000/stream")

    assert_error(missing, 404, "NOT_FOUND")
    assert missing["Cache-Control"] == "no-store"
