"""The serving modes end to end: gunicorn decides once, then nginx (signed, accel) or the object
store (presigned) serves the ranges; a real media client (FFmpeg through PyAV) probes and seeks
through the redirect in every mode (README "Serving media")."""

import os
import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import av
import pytest
import requests

from apps.catalog.demo_audio import sine_audio
from tests.catalog.factories import TrackFactory
from tests.nginx import nginx_required, nginx_server
from tests.servers import gunicorn_server
from veza import storage

SECRET = "nginx-secure-link-secret-" + "x" * 20
MiB = 1024 * 1024


def signed_location(media_root, secret: str = SECRET) -> str:
    """The README's nginx snippet for STREAM_DELIVERY=signed (without the client address)."""
    return f"""
        location /signed-media/ {{
            secure_link $arg_md5,$arg_expires;
            secure_link_md5 "$secure_link_expires$uri {secret}";
            if ($secure_link = "") {{ return 403; }}
            if ($secure_link = "0") {{ return 410; }}
            add_header Cache-Control "private, max-age=60" always;
            alias {media_root}/;
        }}"""


def s3_accel_location(endpoint: str) -> str:
    """The README's nginx snippet for STREAM_DELIVERY=accel on S3."""
    host = urlsplit(endpoint).netloc
    return f"""
        location /s3-media/ {{
            internal;
            proxy_pass {endpoint}/;
            proxy_set_header Host {host};
            proxy_set_header Authorization "";
            proxy_set_header Cookie "";
            proxy_hide_header x-amz-request-id;
        }}"""


def app_location(app: str) -> str:
    return f"""
        location /api/ {{
            proxy_pass {app};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}"""


def play_and_seek(url: str, seconds: float, seek_to: float) -> tuple[float, float]:
    """Open ``url`` with FFmpeg, check its duration, seek and decode to the end; returns
    (first decoded time, seconds decoded)."""
    with av.open(url, options={"seekable": "1", "usetoc": "1"}) as container:
        audio = container.streams.audio[0]
        assert container.duration / av.time_base == pytest.approx(seconds, abs=0.1)
        container.seek(int(seek_to * av.time_base))
        first, decoded = None, 0.0
        for packet in container.demux(audio):
            try:
                frames = packet.decode()
            except av.InvalidDataError:
                continue  # MP3's bit reservoir: the first frame after a seek may lack its past
            for frame in frames:
                if first is None:
                    first = float(frame.pts * frame.time_base)
                decoded += frame.samples / frame.sample_rate
    return first, decoded


def assert_played_from(first, decoded, seconds, seek_to):
    assert first == pytest.approx(seek_to, abs=0.2)
    assert first + decoded == pytest.approx(seconds, abs=0.1)


def range_starts(log_text: str, pattern: str) -> list[int]:
    return [
        int(m.group(1)) for m in re.finditer(pattern + r" HTTP/1\.[01] 206 bytes=(\d+)-", log_text)
    ]


def local_only():
    if storage.is_s3():
        pytest.skip("the signed and sendfile modes serve local disk")


# --- Local disk, signed ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_signed_mode_authorises_once_then_nginx_alone_serves_every_range(tmp_path, settings):
    local_only()
    nginx_required()
    settings.STREAM_DELIVERY = "signed"
    settings.STREAM_SIGNED_SECRET = SECRET
    content = os.urandom(MiB)
    track = TrackFactory(content=content, visibility="private")
    other = TrackFactory(owner=track.owner, content=b"other" * 100)
    token = _access_token(track.owner)
    gunicorn_log = tmp_path / "gunicorn.log"

    with (
        gunicorn_server({"MEDIA_ROOT": str(settings.MEDIA_ROOT)}, access_log=gunicorn_log) as app,
        nginx_server(
            tmp_path / "nginx", signed_location(settings.MEDIA_ROOT) + app_location(app)
        ) as (base, nginx_log),
    ):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        stream = f"{base}/api/v1/tracks/{track.pk}/stream"
        anonymous = requests.get(stream, allow_redirects=False, timeout=10)
        first = session.get(stream, allow_redirects=False, timeout=10)
        location = first.headers["Location"]
        # The signed link needs no credentials: a player hands it to its media element.
        ranges = {
            start: requests.get(
                base + location, headers={"Range": f"bytes={start}-{start + 65535}"}, timeout=10
            )
            for start in (0, 300_000, MiB - 65536)
        }
        query = parse_qs(urlsplit(location).query)
        path = urlsplit(location).path
        expired_path = storage.signed_path(track.audio_file.name, now=time.time() - 3600)
        expired = requests.get(base + expired_path, timeout=10)
        tampered_md5 = requests.get(
            base
            + path
            + "?"
            + urlencode({"md5": "A" + query["md5"][0][1:], "expires": query["expires"][0]}),
            timeout=10,
        )
        later_expiry = requests.get(
            base
            + path
            + "?"
            + urlencode({"md5": query["md5"][0], "expires": int(query["expires"][0]) + 3600}),
            timeout=10,
        )
        other_file = requests.get(
            f"{base}/signed-media/{other.audio_file.name}?{urlsplit(location).query}", timeout=10
        )
        unsigned = requests.get(f"{base}/signed-media/{track.audio_file.name}", timeout=10)

    assert anonymous.status_code == 403
    assert first.status_code == 302
    assert first.headers["Cache-Control"] == "private, no-store"
    for start, response in ranges.items():
        assert response.status_code == 206, (start, response.status_code)
        assert response.content == content[start : start + 65536]
        assert response.headers["Content-Range"] == f"bytes {start}-{start + 65535}/{MiB}"
    assert expired.status_code == 410
    assert tampered_md5.status_code == 403
    assert later_expiry.status_code == 403
    assert other_file.status_code == 403
    assert unsigned.status_code == 403
    # Django saw the refused request and the one that authorised; the ranges never reached it.
    assert gunicorn_log.read_text().count("/stream") == 2
    assert len(range_starts(nginx_log.read_text(), "/signed-media/[^ ]+")) == 3


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ffmpeg_probes_and_seeks_through_the_signed_redirect(tmp_path, settings):
    local_only()
    settings.STREAM_DELIVERY = "signed"
    settings.STREAM_SIGNED_SECRET = SECRET
    track = TrackFactory(content=sine_audio("mp3", seconds=20.0), duration=20.0)

    with (
        gunicorn_server({"MEDIA_ROOT": str(settings.MEDIA_ROOT)}) as app,
        nginx_server(
            tmp_path / "nginx", signed_location(settings.MEDIA_ROOT) + app_location(app)
        ) as (base, nginx_log),
    ):
        first, decoded = play_and_seek(f"{base}/api/v1/tracks/{track.pk}/stream", 20.0, 12.0)

    assert_played_from(first, decoded, 20.0, 12.0)
    log = nginx_log.read_text()
    assert any(start > 100_000 for start in range_starts(log, "/signed-media/[^ ]+")), log


# --- S3: presigned, accel, proxy -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["presigned", "accel", "proxy"])
def test_ffmpeg_probes_and_seeks_in_every_s3_mode(tmp_path, settings, s3_storage, mode):
    settings.STREAM_DELIVERY = mode
    settings.STREAM_ACCEL_REDIRECT = "/s3-media/"
    data = sine_audio("mp3", seconds=20.0)
    track = TrackFactory(content=data, duration=20.0)
    app_log = tmp_path / "gunicorn.log"

    with gunicorn_server(access_log=app_log) as app:
        if mode == "accel":
            conf = s3_accel_location(s3_storage.endpoint) + app_location(app)
            with nginx_server(tmp_path / "nginx", conf) as (base, nginx_log):
                ranged = requests.get(
                    f"{base}/api/v1/tracks/{track.pk}/stream",
                    headers={"Range": "bytes=1000-1999"},
                    timeout=10,
                )
                first, decoded = play_and_seek(
                    f"{base}/api/v1/tracks/{track.pk}/stream", 20.0, 12.0
                )
            assert ranged.status_code == 206
            assert ranged.content == data[1000:2000]
            assert ranged.headers["Content-Type"] == "audio/mpeg"
            starts = range_starts(nginx_log.read_text(), "/api/v1/tracks/[^ ]+/stream")
        else:
            first, decoded = play_and_seek(f"{app}/api/v1/tracks/{track.pk}/stream", 20.0, 12.0)
            starts = range_starts(app_log.read_text(), "/api/v1/tracks/[^ ]+/stream")

    assert_played_from(first, decoded, 20.0, 12.0)
    if mode == "presigned":
        # FFmpeg followed the redirect and sought against the bucket, not the app.
        assert app_log.read_text().count("/stream") == 1
    else:
        assert any(start > len(data) * 0.5 for start in starts)


def _access_token(user) -> str:
    from apps.accounts.services.sessions import session_tokens_issue

    return session_tokens_issue(user=user, otp_verified=False).access_token
