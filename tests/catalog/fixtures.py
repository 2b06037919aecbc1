"""Catalog and streaming fixtures: media in a temporary folder, real audio tracks, HLS switch.

The factories are in ``tests/catalog/factories.py``.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from apps.catalog.demo_audio import sine_audio
from apps.platform_settings import state as platform_state
from apps.platform_settings.models import PlatformSetting
from tests.catalog.factories import CreatorFactory

seed_migration = importlib.import_module(
    "apps.platform_settings.migrations.0002_seed_platform_settings"
)


@pytest.fixture
def media_root(request, settings, tmp_path):
    """Media in a temporary folder; autouse for tests/catalog and tests/streaming (conftest)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STREAM_ACCEL_REDIRECT = ""
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
