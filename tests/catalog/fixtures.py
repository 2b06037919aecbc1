"""Catalog and streaming fixtures: media in a temporary folder, real audio tracks, HLS switch.

The factories are in ``tests/catalog/factories.py``.
"""

from __future__ import annotations

import importlib
import logging

import pytest
from django.apps import apps as django_apps

from apps.catalog.demo_audio import sine_audio
from apps.platform_settings import state as platform_state
from apps.platform_settings.models import PlatformSetting
from tests.catalog.factories import CreatorFactory
from tests.servers import free_port
from tests.storage_backend import TEST_STORAGE, S3Bucket, s3_bucket_create, s3_bucket_use

seed_migration = importlib.import_module(
    "apps.platform_settings.migrations.0002_seed_platform_settings"
)


@pytest.fixture
def media_root(request, settings, tmp_path):
    """Media in a temporary folder, or a fresh bucket of the test S3 server when the suite runs
    with ``VEZA_TEST_STORAGE=s3`` (tests/storage_backend.py); autouse for the media test
    folders (their conftest). The bytes are served by the app itself ("sendfile" on disk,
    "proxy" on S3), so a test reads them in the response whichever the backend."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STREAM_ACCEL_REDIRECT = ""
    if TEST_STORAGE == "s3":
        s3_bucket_use(settings, request.getfixturevalue("s3_bucket"))
        settings.STREAM_DELIVERY = "proxy"
    else:
        settings.STREAM_DELIVERY = "sendfile"
    settings.PLAYS_COUNTRY_HEADER = ""
    # A fresh platform snapshot: no flag leaks in from another test, and no reload (a query)
    # lands inside a query-count assertion.
    request.getfixturevalue("_clean_cache")  # clear the shared cache first, then load
    platform_state.forget()
    if request.node.get_closest_marker("django_db"):
        if "transactional_db" not in request.fixturenames:
            request.getfixturevalue("db")
        platform_state.current()
    yield tmp_path / "media"
    platform_state.forget()


def hls_flag_set(enabled: bool) -> None:
    """Set the real ``hls_streaming`` row (seeding it if a flush removed it) and reload."""
    seed_migration.seed(django_apps, None)
    PlatformSetting.objects.filter(key="hls_streaming").update(value_bool=enabled)
    platform_state.signal_change()


@pytest.fixture
def hls_on(db):
    hls_flag_set(True)
    yield
    platform_state.forget()


@pytest.fixture
def hls_off(db):
    hls_flag_set(False)
    yield
    platform_state.forget()


@pytest.fixture
def creator(db):
    return CreatorFactory()


@pytest.fixture(scope="session")
def mp3_bytes() -> bytes:
    return sine_audio("mp3", seconds=2.0, tags={"artist": "Tagged Artist", "genre": "Ambient"})


@pytest.fixture(scope="session")
def s3_server() -> str:
    """moto's standalone S3 server on a free loopback port, for the whole session."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server) -> S3Bucket:
    """A new, empty bucket on the test S3 server (not yet the default storage)."""
    return s3_bucket_create(s3_server)


@pytest.fixture
def s3_storage(settings, s3_bucket) -> S3Bucket:
    """The default storage is a fresh bucket of the test S3 server, whatever the suite's
    backend (for the tests of S3-only behaviour: the serving modes, the copy command)."""
    s3_bucket_use(settings, s3_bucket)
    return s3_bucket
