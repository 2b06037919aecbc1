"""A browser's ``<audio>`` element plays and seeks through the signed-mode redirect: headless
Chromium (Debian's ``chromium``) loads a page from the same nginx, and the page reports the
duration, the seek and the playback position it reached."""

import json
import re
import shutil
import subprocess
import time
from urllib.parse import unquote

import pytest

from apps.catalog.demo_audio import sine_audio
from tests.catalog.factories import TrackFactory
from tests.nginx import nginx_server
from tests.servers import gunicorn_server
from tests.storage.test_behind_nginx import (
    SECRET,
    app_location,
    local_only,
    s3_accel_location,
    signed_location,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PAGE = """<!doctype html>
<html><body>
<audio id="player" preload="auto" src="{src}"></audio>
<script>
const player = document.getElementById("player");
const out = {{}};
function done() {{ fetch("/report?" + encodeURIComponent(JSON.stringify(out))); }}
player.addEventListener("loadedmetadata", () => {{
  out.duration = player.duration;
  player.currentTime = 12;
}});
player.addEventListener("seeked", () => {{
  out.seeked = player.currentTime;
  player.muted = true;
  player.play().catch((error) => {{ out.error = String(error); done(); }});
}});
player.addEventListener("timeupdate", () => {{
  if (out.seeked !== undefined && player.currentTime > out.seeked + 0.5) {{
    out.played_to = player.currentTime;
    player.pause();
    done();
  }}
}});
player.addEventListener("error", () => {{
  out.error = "media error " + (player.error && player.error.code);
  done();
}});
</script></body></html>
"""


def play_in_chromium(tmp_path, settings, track, extra_locations: str) -> tuple[dict, str]:
    """Load the player page from nginx (which also proxies the app) in headless Chromium;
    returns the page's report and nginx's access log."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "player.html").write_text(PAGE.format(src=f"/api/v1/tracks/{track.pk}/stream"))
    with (
        gunicorn_server({"MEDIA_ROOT": str(settings.MEDIA_ROOT)}) as app,
        nginx_server(
            tmp_path / "nginx",
            extra_locations
            + app_location(app)
            + f"\n        location = /player.html {{ root {site}; }}"
            + "\n        location = /report { return 204; }",
        ) as (base, nginx_log),
    ):
        browser = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={tmp_path / 'chromium'}",
                "--autoplay-policy=no-user-gesture-required",
                "--remote-debugging-port=0",
                f"{base}/player.html",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            report = _wait_for_report(nginx_log, deadline=90)
        finally:
            browser.terminate()
            try:
                browser.wait(timeout=20)
            except subprocess.TimeoutExpired:
                browser.kill()
                browser.wait()
        log = nginx_log.read_text()
    assert report is not None, log
    return json.loads(unquote(report)), log


def assert_played_and_sought(result: dict) -> None:
    assert "error" not in result, result
    assert result["duration"] == pytest.approx(20.0, abs=0.2)
    assert result["seeked"] == pytest.approx(12.0, abs=0.2)
    assert result["played_to"] > result["seeked"]


def chromium_required() -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: apt-get install chromium")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_audio_element_plays_and_seeks_through_the_signed_redirect(tmp_path, settings):
    local_only()
    chromium_required()
    settings.STREAM_DELIVERY = "signed"
    settings.STREAM_SIGNED_SECRET = SECRET
    track = TrackFactory(content=sine_audio("mp3", seconds=20.0), duration=20.0)

    result, log = play_in_chromium(tmp_path, settings, track, signed_location(settings.MEDIA_ROOT))

    assert_played_and_sought(result)
    assert re.search(r"GET /api/v1/tracks/\S+/stream HTTP/1\.1 302", log), log
    assert re.search(r"GET /signed-media/\S+ HTTP/1\.1 206 bytes=", log), log


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_audio_element_plays_and_seeks_through_the_presigned_redirect(
    tmp_path, settings, s3_storage
):
    chromium_required()
    settings.STREAM_DELIVERY = "presigned"
    track = TrackFactory(content=sine_audio("mp3", seconds=20.0), duration=20.0)

    result, log = play_in_chromium(tmp_path, settings, track, "")

    assert_played_and_sought(result)
    # The app answered the redirect once; the bucket served the audio.
    assert len(re.findall(r"GET /api/v1/tracks/\S+/stream HTTP/1\.1 302", log)) == 1, log


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["accel", "proxy"])
def test_an_audio_element_plays_and_seeks_when_the_app_decides_every_range_on_s3(
    tmp_path, settings, s3_storage, mode
):
    """accel: nginx fetches each range from the bucket after the app's check; proxy: the app
    streams each range from the bucket. Either way the browser sees 206s from /stream itself
    and no link to the bucket."""
    chromium_required()
    settings.STREAM_DELIVERY = mode
    settings.STREAM_ACCEL_REDIRECT = "/s3-media/"
    track = TrackFactory(content=sine_audio("mp3", seconds=20.0), duration=20.0)
    extra = s3_accel_location(s3_storage.endpoint) if mode == "accel" else ""

    result, log = play_in_chromium(tmp_path, settings, track, extra)

    assert_played_and_sought(result)
    assert re.search(r"GET /api/v1/tracks/\S+/stream HTTP/1\.1 206", log), log
    assert not re.search(r"GET /api/v1/tracks/\S+/stream HTTP/1\.1 302", log), log


def _wait_for_report(log_path, deadline: float) -> str | None:
    """The page's report (``GET /report?<json>``) once nginx logged it, or ``None``."""
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        found = re.search(r"GET /report\?(\S+) HTTP", log_path.read_text())
        if found:
            return found.group(1)
        time.sleep(0.25)
    return None
