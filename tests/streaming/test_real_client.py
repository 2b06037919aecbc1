"""A real media client (FFmpeg through PyAV) plays a track over HTTP and seeks into it.

FFmpeg's HTTP protocol seeks with ``Range`` requests, so this proves that seeking works end to
end against a running server, the way browsers and mobile players use ``/stream``.
"""

import re

import av
import pytest

from apps.catalog.demo_audio import sine_audio
from tests.catalog.factories import TrackFactory
from tests.servers import gunicorn_server


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ffmpeg_reads_the_stream_over_http_and_seeks_to_the_middle(tmp_path, settings):
    """Against gunicorn, the production server (Django's threaded dev server, behind
    ``live_server``, sometimes ends a re-requested range early under load)."""
    data = sine_audio("mp3", seconds=20.0)
    track = TrackFactory(content=data, duration=20.0)
    access_log = tmp_path / "access.log"

    with gunicorn_server({"MEDIA_ROOT": str(settings.MEDIA_ROOT)}, access_log=access_log) as base:
        stream_url = f"{base}/api/v1/tracks/{track.pk}/stream"
        with av.open(stream_url, options={"seekable": "1", "usetoc": "1"}) as container:
            audio = container.streams.audio[0]
            assert container.duration / av.time_base == pytest.approx(20.0, abs=0.1)
            # Seek to 12 s (FFmpeg issues a Range request) and decode to the end.
            container.seek(12 * av.time_base)
            first = None
            decoded = 0.0
            undecodable = 0
            for packet in container.demux(audio):
                try:
                    frames = packet.decode()
                except av.InvalidDataError:
                    # MP3's bit reservoir: the first frame after a seek may miss its reference.
                    undecodable += 1
                    continue
                for frame in frames:
                    if first is None:
                        first = float(frame.pts * frame.time_base)
                    decoded += frame.samples / frame.sample_rate

    # The seek was a 206 answer to a Range request starting well inside the file.
    starts = [
        int(match.group(1))
        for match in re.finditer(r"/stream HTTP/1\.1 206 bytes=(\d+)-", access_log.read_text())
    ]
    assert any(start > len(data) * 0.5 for start in starts), access_log.read_text()
    assert undecodable <= 1
    assert first == pytest.approx(12.0, abs=0.2)
    assert first + decoded == pytest.approx(20.0, abs=0.1)
    assert decoded == pytest.approx(8.0, abs=0.3)


@pytest.mark.django_db(transaction=True)
def test_ffmpeg_plays_the_hls_master_playlist(live_server, hls_on, settings):
    from apps.streaming.services import hls_transcode

    track = TrackFactory(content=sine_audio("mp3", seconds=9.0), duration=9.0)
    assert hls_transcode(track_id=track.pk).hls_status == "ready"

    with av.open(f"{live_server.url}/api/v1/tracks/{track.pk}/hls/master.m3u8") as container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        decoded = sum(f.samples / f.sample_rate for f in container.decode(audio))
    assert decoded == pytest.approx(9.0, abs=0.2)
