"""STREAM_DELIVERY: which response /stream, /download, HLS segments and exports give, once
Django has checked access (README "Serving media"). Byte-level behaviour through real nginx and
real clients is in test_behind_nginx.py."""

import base64
import hashlib
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.gdpr.models import ExportStatus
from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client
from tests.gdpr.factories import DataExportFactory
from veza import storage
from veza.checks import media_storage_and_delivery_fit

BODY = bytes(range(256))
SECRET = "s" * 40


def url(track, what="stream"):
    return f"/api/v1/tracks/{track.pk}/{what}"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- S3: presigned (the default) ---------------------------------------------------------------


@pytest.mark.django_db
def test_presigned_mode_redirects_to_a_short_lived_url_that_serves_ranges(
    api_client, s3_storage, settings
):
    settings.STREAM_DELIVERY = "presigned"
    settings.STREAM_URL_TTL = 120
    track = TrackFactory()

    response = api_client.get(url(track), HTTP_RANGE="bytes=10-19")

    assert response.status_code == 302
    assert response["Cache-Control"] == "public, max-age=60, s-maxage=60"
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{s3_storage.endpoint}/{s3_storage.name}/{track.audio_file.name}?")
    assert query["X-Amz-Expires"] == ["120"]
    assert query["response-content-type"] == ["audio/mpeg"]
    assert "X-Amz-Signature" in query
    ranged = requests.get(location, headers={"Range": "bytes=10-19"}, timeout=10)
    assert ranged.status_code == 206
    assert ranged.content == BODY[10:20]
    assert ranged.headers["Content-Type"] == "audio/mpeg"
    assert ranged.headers["Content-Range"] == "bytes 10-19/256"


@pytest.mark.django_db
def test_presigned_mode_never_lets_a_shared_cache_keep_a_private_tracks_link(s3_storage, settings):
    settings.STREAM_DELIVERY = "presigned"
    track = TrackFactory(visibility="private")

    owner = bearer_client(track.owner).get(url(track))
    stranger = bearer_client(TrackFactory().owner).get(url(track))

    assert owner.status_code == 302
    assert owner["Cache-Control"] == "private, no-store"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in owner["Vary"].split(",")}
    assert stranger.status_code == 403
    assert "Location" not in stranger


@pytest.mark.django_db
def test_presigned_download_carries_the_attachment_name(api_client, s3_storage, settings):
    settings.STREAM_DELIVERY = "presigned"
    track = TrackFactory(title="Été live")

    response = api_client.get(url(track, "download"))
    fetched = requests.get(response["Location"], timeout=10)

    assert response.status_code == 302
    assert fetched.status_code == 200
    assert fetched.content == BODY
    assert fetched.headers["Content-Disposition"] == (
        "attachment; filename=\"ete-live.mp3\"; filename*=UTF-8''ete-live.mp3"
    )


@pytest.mark.django_db
def test_presigned_mode_still_answers_a_matching_validator_with_304(
    api_client, s3_storage, settings
):
    settings.STREAM_DELIVERY = "presigned"
    track = TrackFactory()

    response = api_client.get(url(track), HTTP_IF_NONE_MATCH=f'"{track.sha256}"')

    assert response.status_code == 304
    assert "Location" not in response


@pytest.mark.django_db
def test_an_export_archive_on_s3_leaves_by_a_private_presigned_link(user, s3_storage, settings):
    settings.STREAM_DELIVERY = "presigned"
    content = b"PK\x05\x06" + b"\x00" * 18  # an empty ZIP
    name = default_storage.save("gdpr/exports/test.zip", ContentFile(content))
    export = DataExportFactory(
        user=user,
        status=ExportStatus.READY,
        file=name,
        size=len(content),
        expires_at=timezone.now() + timedelta(days=7),
    )

    response = bearer_client(user).get(f"/api/v1/users/me/exports/{export.pk}/download")
    fetched = requests.get(response["Location"], timeout=10)

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert fetched.content == content
    assert fetched.headers["Content-Type"] == "application/zip"
    assert fetched.headers["Content-Disposition"].startswith('attachment; filename="veza-data-')


# --- S3: proxy and accel ---------------------------------------------------------------------


@pytest.mark.django_db
def test_proxy_mode_streams_the_range_from_the_bucket(api_client, s3_storage, settings):
    settings.STREAM_DELIVERY = "proxy"
    track = TrackFactory()

    ranged = api_client.get(url(track), HTTP_RANGE="bytes=250-")
    whole = api_client.get(url(track))
    head = api_client.head(url(track), HTTP_RANGE="bytes=0-9")
    unsatisfiable = api_client.get(url(track), HTTP_RANGE="bytes=300-")

    assert (ranged.status_code, ranged["Content-Range"]) == (206, "bytes 250-255/256")
    assert ranged.streaming
    assert body_of(ranged) == BODY[250:]
    assert (whole.status_code, body_of(whole)) == (200, BODY)
    assert (head.status_code, head["Content-Length"]) == (206, "10")
    assert unsatisfiable.status_code == 416
    assert unsatisfiable["Content-Range"] == "bytes */256"


@pytest.mark.django_db
def test_proxy_mode_pins_the_range_to_the_version_it_described(api_client, s3_storage, settings):
    """The object replaced between the check and the read: an error, never a splice."""
    from botocore.exceptions import ClientError

    settings.STREAM_DELIVERY = "proxy"
    track = TrackFactory()
    stat = storage.stored_stat(track.audio_file.name)
    s3_storage.client().put_object(
        Bucket=s3_storage.name, Key=track.audio_file.name, Body=b"x" * 256
    )

    with pytest.raises(ClientError, match="PreconditionFailed"):
        storage.s3_range_open(
            track.audio_file.name,
            start=0,
            length=10,
            size=256,
            upstream_etag=stat.upstream_etag,
        )


@pytest.mark.django_db
def test_accel_mode_on_s3_sends_nginx_to_a_presigned_path_of_the_bucket(
    api_client, s3_storage, settings
):
    settings.STREAM_DELIVERY = "accel"
    settings.STREAM_ACCEL_REDIRECT = "/s3-media/"
    track = TrackFactory()

    response = api_client.get(url(track), HTTP_RANGE="bytes=0-9")

    target = urlsplit(response["X-Accel-Redirect"])
    assert response.status_code == 200
    assert response.content == b""
    assert target.path == f"/s3-media/{s3_storage.name}/{track.audio_file.name}"
    assert "X-Amz-Signature" in parse_qs(target.query)


# --- Local: signed ---------------------------------------------------------------------------


def nginx_secure_link(uri: str, expires: int, secret: str, address: str = "") -> str:
    """What nginx computes for ``secure_link_md5 "$secure_link_expires$uri$remote_addr secret"``
    (written out independently of the app's code)."""
    digest = hashlib.md5(f"{expires}{uri}{address} {secret}".encode()).digest()  # noqa: S324
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@pytest.mark.django_db
@pytest.mark.parametrize("bind_ip", [False, True])
def test_signed_mode_redirects_to_a_secure_link_url(api_client, settings, bind_ip):
    if storage.is_s3():
        pytest.skip("the signed mode serves local disk")
    settings.STREAM_DELIVERY = "signed"
    settings.STREAM_SIGNED_SECRET = SECRET
    settings.STREAM_SIGNED_BIND_IP = bind_ip
    settings.STREAM_URL_TTL = 300
    track = TrackFactory(visibility="private")

    before = int(time.time())
    response = bearer_client(track.owner).get(url(track), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = urlsplit(response["Location"])
    uri = f"/signed-media/{track.audio_file.name}"
    query = parse_qs(location.query)
    expires = int(query["expires"][0])
    assert location.path == uri
    assert before + 300 <= expires <= int(time.time()) + 300
    address = "203.0.113.7" if bind_ip else ""
    assert query["md5"] == [nginx_secure_link(uri, expires, SECRET, address)]


@pytest.mark.django_db
def test_signed_mode_sends_a_download_itself_with_its_attachment_name(api_client, settings):
    if storage.is_s3():
        pytest.skip("the signed mode serves local disk")
    settings.STREAM_DELIVERY = "signed"
    settings.STREAM_SIGNED_SECRET = SECRET
    track = TrackFactory(title="Live")

    download = api_client.get(url(track, "download"))
    stream = api_client.get(url(track))

    assert download.status_code == 200
    assert body_of(download) == BODY
    assert download["Content-Disposition"].startswith('attachment; filename="live.mp3"')
    assert stream.status_code == 302


@pytest.mark.django_db
def test_signed_mode_can_point_at_a_media_host(api_client, settings):
    if storage.is_s3():
        pytest.skip("the signed mode serves local disk")
    settings.STREAM_DELIVERY = "signed"
    settings.STREAM_SIGNED_SECRET = SECRET
    settings.STREAM_SIGNED_PREFIX = "https://media.veza.example/s/"
    track = TrackFactory()

    location = urlsplit(api_client.get(url(track))["Location"])

    assert (location.scheme, location.netloc) == ("https", "media.veza.example")
    expires = int(parse_qs(location.query)["expires"][0])
    assert parse_qs(location.query)["md5"] == [nginx_secure_link(location.path, expires, SECRET)]


@pytest.mark.django_db
def test_a_learners_counted_bytes_never_leave_by_a_redirect(settings):
    """Progress is capped by the bytes the app saw leave, so an enrolled learner's lesson media
    is served by the app whatever the mode (apps.education.services.progress)."""
    from tests.education.factories import EnrollmentFactory, LessonFactory

    settings.STREAM_DELIVERY = "presigned" if storage.is_s3() else "signed"
    settings.STREAM_SIGNED_SECRET = SECRET
    enrollment = EnrollmentFactory()
    lesson = LessonFactory(course=enrollment.course)

    learner = bearer_client(enrollment.user).get(
        f"/api/v1/lessons/{lesson.pk}/stream", HTTP_RANGE="bytes=0-9"
    )
    owner = bearer_client(enrollment.course.owner).get(f"/api/v1/lessons/{lesson.pk}/stream")

    assert learner.status_code == 206
    assert len(body_of(learner)) == 10
    assert owner.status_code == 302


# --- Checks ----------------------------------------------------------------------------------


def _check_ids() -> set[str]:
    return {error.id for error in media_storage_and_delivery_fit(None)}


def test_checks_refuse_a_mode_the_backend_cannot_serve(settings):
    settings.STREAM_DELIVERY = "proxy" if not storage.is_s3() else "sendfile"
    assert _check_ids() == {"veza.E012"}


def test_checks_refuse_signed_mode_without_a_strong_secret(settings):
    if storage.is_s3():
        pytest.skip("the signed mode serves local disk")
    settings.STREAM_DELIVERY = "signed"
    settings.STREAM_SIGNED_SECRET = ""
    assert _check_ids() == {"veza.E014"}
    settings.STREAM_SIGNED_SECRET = "short"
    assert _check_ids() == {"veza.E014"}
    settings.STREAM_SIGNED_SECRET = SECRET
    assert _check_ids() == set()


def test_checks_refuse_accel_mode_without_its_location(settings):
    settings.STREAM_DELIVERY = "accel"
    settings.STREAM_ACCEL_REDIRECT = ""
    assert _check_ids() == {"veza.E013"}


def test_checks_refuse_an_unusable_link_lifetime(settings):
    settings.STREAM_URL_TTL = 8 * 24 * 3600
    assert _check_ids() == {"veza.E016"}


@pytest.mark.django_db
def test_a_cover_on_s3_is_listed_with_a_signed_url_that_outlives_the_response_cache(
    api_client, s3_storage, settings
):
    track = TrackFactory()
    track.cover_image.save("cover.jpg", ContentFile(b"\xff\xd8cover"), save=True)

    cover = api_client.get(f"/api/v1/tracks/{track.pk}").json()["cover_image"]

    query = parse_qs(urlsplit(cover).query)
    assert cover.startswith(f"{s3_storage.endpoint}/{s3_storage.name}/")
    assert query["X-Amz-Expires"] == [str(settings.MEDIA_IMAGE_URL_TTL)]
    assert settings.MEDIA_IMAGE_URL_TTL > max(ttl for _, _, ttl in settings.RESPONSE_CACHE_RULES)
    assert requests.get(cover, timeout=10).content == b"\xff\xd8cover"


@pytest.mark.django_db
def test_a_cover_on_s3_in_the_signed_in_track_list_is_the_storages_signed_url(s3_storage, settings):
    """The list renders rows (the cover's stored name), not instances: still the S3 URL."""
    track = TrackFactory()
    track.cover_image.save("cover.jpg", ContentFile(b"\xff\xd8list"), save=True)

    [item] = bearer_client(track.owner).get("/api/v1/tracks").json()["results"]

    cover = item["cover_image"]
    assert cover.startswith(f"{s3_storage.endpoint}/{s3_storage.name}/{track.cover_image.name}?")
    assert parse_qs(urlsplit(cover).query)["X-Amz-Expires"] == [str(settings.MEDIA_IMAGE_URL_TTL)]
    assert requests.get(cover, timeout=10).content == b"\xff\xd8list"


def test_checks_refuse_the_example_secure_link_secret(settings):
    from veza.checks import secrets_are_not_the_example_placeholders

    settings.STREAM_SIGNED_SECRET = "change-me-secure-link-secret-0123456789"

    errors = secrets_are_not_the_example_placeholders(None)

    assert [error.id for error in errors] == ["veza.E004"]
    assert "STREAM_SIGNED_SECRET" in errors[0].msg
