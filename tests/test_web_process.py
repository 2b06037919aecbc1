"""Web processes stay lean: the WSGI app and every route load without the audio stack (PyAV,
mutagen), Pillow, the OAuth client or the S3 client (boto3, on local disk), which load on first
use; and the gunicorn configuration in the repository is the one the image runs."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_settings import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent

# What a web process loads before its first request (gunicorn's preload_app): the WSGI app,
# the URL configuration and every view module it names.
WEB_START = """
import json, sys
from veza.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns
heavy = ("av", "mutagen", "PIL", "authlib", "boto3", "botocore", "storages")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""

# The same, then what a worker needs to sniff an upload: the audio stack, on first use.
UPLOAD_PROBE = """
import io, json, sys
from veza.wsgi import application
from apps.catalog import audio
try:
    audio.audio_probe(io.BytesIO(b"not audio at all" * 64))
except audio.NotAudio:
    pass
print(json.dumps("av" in sys.modules))
"""


def _run(code: str) -> str:
    env = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(PRODUCTION, DATABASE_URL="sqlite:////tmp/veza-web-process.sqlite3")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_web_process_start_does_not_import_the_audio_stack_pillow_or_oauth_client():
    assert json.loads(_run(WEB_START)) == []


def test_the_audio_stack_loads_when_an_upload_is_sniffed():
    assert json.loads(_run(UPLOAD_PROBE)) is True


@pytest.fixture
def gunicorn_conf(monkeypatch):
    def load(**env):
        for name in ("WEB_CONCURRENCY",):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    return load


def test_gunicorn_conf_preloads_and_recycles_workers(gunicorn_conf):
    conf = gunicorn_conf()
    assert conf["preload_app"] is True
    assert conf["worker_class"] == "sync"
    assert "sendfile" not in conf  # any value, even True, turns gunicorn's sendfile off
    assert conf["max_requests"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert 0 < conf["graceful_timeout"] <= conf["timeout"]
    assert conf["accesslog"] == "-"


def test_gunicorn_workers_follow_the_cpus_unless_web_concurrency_says(gunicorn_conf):
    usable = len(os.sched_getaffinity(0))
    assert 3 <= gunicorn_conf()["workers"] <= 2 * usable + 1
    assert gunicorn_conf(WEB_CONCURRENCY="5")["workers"] == 5


def test_gunicorn_accepts_the_configuration():
    """gunicorn itself parses the file (no typo in a setting name passes silently)."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--check-config",
            "--config",
            "gunicorn.conf.py",
            "--print-config",
        ],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION, "DATABASE_URL": "sqlite:////tmp/veza-web-process.sqlite3"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    printed = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    assert printed["preload_app"] == "True"
    assert printed["max_requests_jitter"] == "200"
    assert printed["wsgi_app"] == "veza.wsgi:application"
    assert printed["sendfile"] == "None"  # None: on (unless SENDFILE says otherwise)


def test_gunicorn_sends_files_with_sendfile():
    from gunicorn.config import Config

    config = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    assert config.sendfile is True
