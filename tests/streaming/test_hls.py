"""HLS behind the hls_streaming flag: AAC renditions, master playlist, 404 while off."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.catalog.demo_audio import sine_audio
from apps.catalog.models import HlsStatus, Track
from apps.platform_settings.services import setting_set
from tests.catalog.factories import CreatorFactory, TrackFactory
from tests.conftest import bearer_client


def _upload(client, django_capture_on_commit_callbacks, **fields):
    data = sine_audio("mp3", seconds=8.0)
    upload = SimpleUploadedFile("a.mp3", data, content_type="audio/mpeg")
    # The processing task enqueues the HLS task on commit: run callbacks until none is left.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/tracks", {"file": upload, "title": "Wave", **fields})
    assert response.status_code == 201
    return Track.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
def test_flag_on_transcodes_to_two_aac_renditions_served_with_types_and_cache(
    hls_on, api_client, django_capture_on_commit_callbacks
):
    track = _upload(bearer_client(CreatorFactory()), django_capture_on_commit_callbacks)
    assert track.status == "ready"
    assert track.hls_status == "ready"
    base = f"/api/v1/tracks/{track.pk}/hls"
    detail = api_client.get(f"/api/v1/tracks/{track.pk}").json()
    assert detail["hls_status"] == "ready"
    assert detail["hls_url"] == f"{base}/master.m3u8"

    master = api_client.get(f"{base}/master.m3u8")

    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert master["Cache-Control"] == "public, max-age=60"
    lines = master.content.decode().splitlines()
    assert lines[0] == "#EXTM3U"
    variants = [line for line in lines if line and not line.startswith("#")]
    assert variants == ["64k/index.m3u8", "128k/index.m3u8"]
    assert 'BANDWIDTH=72000,CODECS="mp4a.40.2"' in master.content.decode()

    variant = api_client.get(f"{base}/128k/index.m3u8")
    assert variant.status_code == 200
    assert variant["Content-Type"] == "application/vnd.apple.mpegurl"
    segments = [s for s in variant.content.decode().splitlines() if s.endswith(".ts")]
    assert segments == ["seg_00000.ts", "seg_00001.ts"]
    assert "#EXT-X-ENDLIST" in variant.content.decode()

    segment = api_client.get(f"{base}/128k/{segments[0]}")
    assert segment.status_code == 200
    assert segment["Content-Type"] == "video/mp2t"
    assert segment["Cache-Control"] == "public, max-age=604800"
    assert b"".join(segment.streaming_content)[:1] == b"\x47"  # MPEG-TS sync byte


@pytest.mark.django_db
def test_flag_off_every_hls_url_is_404_and_stream_still_plays(
    hls_off, api_client, django_capture_on_commit_callbacks
):
    track = _upload(bearer_client(CreatorFactory()), django_capture_on_commit_callbacks)
    assert track.hls_status == "none"
    for path in ("master.m3u8", "128k/index.m3u8", "128k/seg_00000.ts"):
        response = api_client.get(f"/api/v1/tracks/{track.pk}/hls/{path}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert api_client.get(f"/api/v1/tracks/{track.pk}").json()["hls_url"] is None
    assert api_client.get(f"/api/v1/tracks/{track.pk}/stream").status_code == 200


@pytest.mark.django_db
def test_flag_turned_off_after_transcoding_hides_hls_again(
    hls_on, staff_user, api_client, django_capture_on_commit_callbacks
):
    track = _upload(bearer_client(CreatorFactory()), django_capture_on_commit_callbacks)
    assert api_client.get(f"/api/v1/tracks/{track.pk}/hls/master.m3u8").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        setting_set(key="hls_streaming", value=False, actor=staff_user)

    assert api_client.get(f"/api/v1/tracks/{track.pk}/hls/master.m3u8").status_code == 404


@pytest.mark.django_db
def test_private_hls_with_a_share_token_carries_the_token_in_playlists(
    hls_on, api_client, django_capture_on_commit_callbacks
):
    owner = bearer_client(CreatorFactory())
    track = _upload(owner, django_capture_on_commit_callbacks, visibility="private")
    base = f"/api/v1/tracks/{track.pk}/hls"
    assert api_client.get(f"{base}/master.m3u8").status_code == 403
    token = owner.post(f"/api/v1/tracks/{track.pk}/share", {}, format="json").json()["token"]

    master = api_client.get(f"{base}/master.m3u8", {"share_token": token})

    assert master.status_code == 200
    assert master["Cache-Control"].startswith("private")
    assert f"64k/index.m3u8?share_token={token}" in master.content.decode()
    segment = api_client.get(f"{base}/64k/seg_00000.ts", {"share_token": token})
    assert segment.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../../secret", "64k/../../x.ts", "master.m3u8.bak", "1k/x.ts"])
def test_hls_names_outside_the_layout_are_404(hls_on, api_client, name):
    track = TrackFactory(hls_status="ready")
    assert api_client.get(f"/api/v1/tracks/{track.pk}/hls/{name}").status_code == 404


@pytest.mark.django_db
def test_hls_not_ready_yet_is_404(hls_on, api_client):
    track = TrackFactory(hls_status="pending")
    assert api_client.get(f"/api/v1/tracks/{track.pk}/hls/master.m3u8").status_code == 404


@pytest.mark.django_db
def test_backfill_transcodes_tracks_that_were_ready_before_the_flag(hls_on):
    from apps.streaming.tasks import hls_backfill

    waiting = TrackFactory(content=sine_audio("mp3", seconds=3.0))
    TrackFactory(moderation_status="taken_down", content=sine_audio("mp3", seconds=1.0))

    assert hls_backfill() == 1

    waiting.refresh_from_db()
    assert waiting.hls_status == "ready"
    assert hls_backfill() == 0


@pytest.mark.django_db
def test_backfill_does_nothing_while_the_flag_is_off(hls_off):
    from apps.streaming.tasks import hls_backfill

    track = TrackFactory(content=sine_audio("mp3", seconds=1.0))
    assert hls_backfill() == 0
    track.refresh_from_db()
    assert track.hls_status == "none"


def _write(media_root, track, name: str, content: bytes) -> None:
    default_storage.save(f"hls/{track.pk}/{name}", ContentFile(content))


@pytest.mark.django_db
def test_a_listed_segment_missing_from_storage_is_404_and_a_stored_one_serves_ranges(
    hls_on, api_client, media_root
):
    track = TrackFactory(hls_status=HlsStatus.READY)
    _write(media_root, track, "64k/seg_00000.ts", bytes(range(100)))
    base = f"/api/v1/tracks/{track.pk}/hls/64k"

    missing = api_client.get(f"{base}/seg_00001.ts")
    partial = api_client.get(f"{base}/seg_00000.ts", HTTP_RANGE="bytes=10-19")

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    assert partial.status_code == 206
    assert partial["Content-Type"] == "video/mp2t"
    assert partial["Content-Range"] == "bytes 10-19/100"
    assert partial["ETag"].endswith('-100"')
    assert b"".join(partial.streaming_content) == bytes(range(10, 20))
