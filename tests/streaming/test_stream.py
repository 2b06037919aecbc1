"""GET|HEAD /api/v1/tracks/{id}/stream (shared/API.md, "GET /api/v1/tracks/{id}/stream"):
access, a missing file, the full body, Range and conditional requests (RFC 9110).
"""

import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.http import http_date

from apps.catalog.services import track_moderate
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client
from tests.storage_backend import accel_expected, accel_path

BODY = bytes(range(256))


def url(track_id) -> str:
    return f"/api/v1/tracks/{track_id}/stream"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Access, missing file, full body and one range -----------------------------------------


@pytest.mark.django_db
def test_stream_invalid_id_is_404(api_client):
    response = api_client.get("/api/v1/tracks/not-a-uuid/stream")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_stream_unknown_track_is_404_not_found(api_client):
    response = api_client.get(url(uuid.uuid4()))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_stream_private_track_is_forbidden_to_others(api_client):
    track = TrackFactory(visibility="private")
    stranger = bearer_client(UserFactory(is_verified=True))

    for client in (api_client, stranger):
        response = client.get(url(track.pk))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "PERMISSION_DENIED"


@pytest.mark.django_db
def test_stream_missing_file_is_404_file_missing_and_logged(api_client, media_root, caplog):
    track = TrackFactory()
    default_storage.delete(track.audio_file.name)

    response = api_client.get(url(track.pk))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "FILE_MISSING"
    assert any("FILE_MISSING" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_stream_full_body_with_validators_and_public_cache(api_client):
    track = TrackFactory()

    response = api_client.get(url(track.pk))

    assert response.status_code == 200
    assert body_of(response) == BODY
    assert response["Content-Length"] == "256"
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{track.sha256}"'
    modified = default_storage.get_modified_time(track.audio_file.name)
    assert response["Last-Modified"] == http_date(int(modified.timestamp()))
    assert response["Cache-Control"] == "public, max-age=604800"


@pytest.mark.django_db
def test_stream_range_request_gives_206_with_content_range(api_client):
    track = TrackFactory()

    response = api_client.get(url(track.pk), HTTP_RANGE="bytes=10-19")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 10-19/256"
    assert response["Content-Length"] == "10"
    assert body_of(response) == BODY[10:20]


# --- Ranges ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "content_range", "expected"),
    [
        ("bytes=100-", "bytes 100-255/256", BODY[100:]),
        ("bytes=-50", "bytes 206-255/256", BODY[-50:]),
        ("bytes=-1000", "bytes 0-255/256", BODY),
        ("bytes=0-0", "bytes 0-0/256", BODY[:1]),
        ("bytes=250-9999", "bytes 250-255/256", BODY[250:]),
        ("bytes=255-255", "bytes 255-255/256", BODY[255:]),
    ],
)
def test_open_suffix_single_byte_and_clamped_ranges(api_client, header, content_range, expected):
    track = TrackFactory()
    response = api_client.get(url(track.pk), HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == content_range
    assert response["Content-Length"] == str(len(expected))
    assert body_of(response) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["bytes=256-", "bytes=300-400", "bytes=-0", "bytes=5-1", "items=0-1", "bytes=x-y"]
)
def test_unsatisfiable_or_malformed_range_is_416_with_the_size(api_client, header):
    track = TrackFactory()
    response = api_client.get(url(track.pk), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */256"
    assert response.json()["error"]["code"] == "RANGE_NOT_SATISFIABLE"


@pytest.mark.django_db
def test_several_ranges_are_answered_with_the_whole_file(api_client):
    track = TrackFactory()
    response = api_client.get(url(track.pk), HTTP_RANGE="bytes=0-1,5-6")
    assert response.status_code == 200
    assert body_of(response) == BODY


@pytest.mark.django_db
def test_if_range_with_the_current_etag_keeps_the_range_and_a_stale_one_sends_everything(
    api_client,
):
    track = TrackFactory()
    fresh = api_client.get(url(track.pk), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=f'"{track.sha256}"')
    stale = api_client.get(url(track.pk), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"something-else"')
    weak = api_client.get(
        url(track.pk), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=f'W/"{track.sha256}"'
    )

    assert (fresh.status_code, body_of(fresh)) == (206, BODY[:10])
    assert (stale.status_code, body_of(stale)) == (200, BODY)
    assert (weak.status_code, body_of(weak)) == (200, BODY)


@pytest.mark.django_db
def test_if_range_with_a_date(api_client):
    track = TrackFactory()
    last_modified = api_client.get(url(track.pk))["Last-Modified"]
    older = http_date((timezone.now() - timedelta(days=3)).timestamp())

    same = api_client.get(url(track.pk), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=last_modified)
    other = api_client.get(url(track.pk), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=older)

    assert same.status_code == 206
    assert other.status_code == 200


# --- Conditional requests ------------------------------------------------------------------


@pytest.mark.django_db
def test_if_none_match_gives_304_with_validators_and_no_body(api_client):
    track = TrackFactory()
    etag = f'"{track.sha256}"'

    for header in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        response = api_client.get(url(track.pk), HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response["ETag"] == etag
        assert response["Cache-Control"] == "public, max-age=604800"
        assert body_of(response) == b""

    assert api_client.get(url(track.pk), HTTP_IF_NONE_MATCH='"nope"').status_code == 200


@pytest.mark.django_db
def test_if_modified_since_gives_304_unless_the_file_is_newer(api_client):
    track = TrackFactory()
    last_modified = api_client.get(url(track.pk))["Last-Modified"]
    before = http_date((timezone.now() - timedelta(days=3)).timestamp())

    assert api_client.get(url(track.pk), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert api_client.get(url(track.pk), HTTP_IF_MODIFIED_SINCE=before).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    response = api_client.get(
        url(track.pk), HTTP_IF_NONE_MATCH='"nope"', HTTP_IF_MODIFIED_SINCE=last_modified
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_head_sends_the_headers_without_the_body(api_client):
    track = TrackFactory()
    response = api_client.head(url(track.pk), HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response["Content-Range"] == "bytes 10-19/256"
    assert body_of(response) == b""


# --- Who may listen ------------------------------------------------------------------------


@pytest.mark.django_db
def test_owner_and_staff_stream_a_private_track_with_private_cache(staff_user):
    track = TrackFactory(visibility="private")
    for client in (bearer_client(track.owner), bearer_client(staff_user)):
        response = client.get(url(track.pk))
        assert response.status_code == 200
        assert body_of(response) == BODY
        assert response["Cache-Control"].startswith("private")


@pytest.mark.django_db
def test_unlisted_track_streams_to_anyone_with_the_link_but_is_not_cached_publicly(api_client):
    track = TrackFactory(visibility="unlisted")
    response = api_client.get(url(track.pk))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")


@pytest.mark.django_db
def test_taken_down_track_media_is_404_even_for_its_owner(api_client, staff_user):
    track = TrackFactory()
    track_moderate(track=track, action="take_down", actor=staff_user)

    for client in (api_client, bearer_client(track.owner)):
        assert client.get(url(track.pk)).status_code == 404
        assert client.get(f"/api/v1/tracks/{track.pk}/download").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["processing", "failed"])
def test_unfinished_tracks_are_404_for_listeners_but_play_for_their_owner(api_client, status):
    track = TrackFactory(status=status)
    assert api_client.get(url(track.pk)).status_code == 404
    assert bearer_client(track.owner).get(url(track.pk)).status_code == 200


@pytest.mark.django_db
def test_a_bad_bearer_token_is_refused_even_on_a_public_track(api_client):
    track = TrackFactory()
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = api_client.get(url(track.pk))
    assert response.status_code == 401


# --- Download and nginx offload ------------------------------------------------------------


@pytest.mark.django_db
def test_download_is_an_attachment_named_after_the_title(api_client):
    track = TrackFactory(title='Été / "Live" ../../etc')
    response = api_client.get(f"/api/v1/tracks/{track.pk}/download")
    assert response.status_code == 200
    assert body_of(response) == BODY
    assert response["Content-Disposition"] == (
        "attachment; filename=\"ete-live-etc.mp3\"; filename*=UTF-8''ete-live-etc.mp3"
    )


@pytest.mark.django_db
def test_accel_redirect_hands_the_bytes_to_nginx_after_every_check(api_client, settings):
    settings.STREAM_ACCEL_REDIRECT = "/protected-media/"
    settings.STREAM_DELIVERY = "accel"
    track = TrackFactory()
    private = TrackFactory(visibility="private")

    response = api_client.get(url(track.pk), HTTP_RANGE="bytes=10-19")

    assert response.status_code == 200  # nginx applies the Range on the internal location
    assert accel_path(response) == accel_expected(track.audio_file.name)
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Cache-Control"] == "public, max-age=604800"
    assert response.content == b""
    assert api_client.get(url(private.pk)).status_code == 403
    not_modified = api_client.get(url(track.pk), HTTP_IF_NONE_MATCH=f'"{track.sha256}"')
    assert not_modified.status_code == 304
    assert "X-Accel-Redirect" not in not_modified
