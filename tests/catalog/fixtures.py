"""Catalog and streaming fixtures: media in a temporary folder, real audio tracks, HLS switch."""

from __future__ import annotations

import hashlib
import importlib
import uuid
from datetime import timedelta

import factory
import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.accounts.models import Role
from apps.catalog.demo_audio import sine_audio
from apps.catalog.models import Playlist, ProcessingStatus, Track
from apps.platform_settings import state as platform_state
from apps.platform_settings.models import PlatformSetting
from tests.accounts.factories import UserFactory

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


class CreatorFactory(UserFactory):
    role = Role.CREATOR
    is_verified = True


class TrackFactory(DjangoModelFactory):
    """A ready track whose stored file holds ``content`` (default: 256 bytes 0..255)."""

    class Meta:
        model = Track

    owner = factory.SubFactory(CreatorFactory)
    title = factory.Sequence(lambda n: f"Track {n}")
    artist_name = "Some Artist"
    status = ProcessingStatus.READY
    content_type = "audio/mpeg"
    duration = 2.0

    @classmethod
    def _create(cls, model_class, *args, content=None, **kwargs):
        content = bytes(range(256)) if content is None else content
        name = default_storage.save(f"tracks/test/{uuid.uuid4().hex}.mp3", ContentFile(content))
        kwargs.setdefault("audio_file", name)
        kwargs.setdefault("size", len(content))
        kwargs.setdefault("sha256", hashlib.sha256(content).hexdigest())
        return super()._create(model_class, *args, **kwargs)


class PlaylistFactory(DjangoModelFactory):
    class Meta:
        model = Playlist

    owner = factory.SubFactory(CreatorFactory)
    title = factory.Sequence(lambda n: f"Playlist {n}")


@pytest.fixture
def creator(db):
    return CreatorFactory()


@pytest.fixture(scope="session")
def mp3_bytes() -> bytes:
    return sine_audio("mp3", seconds=2.0, tags={"artist": "Tagged Artist", "genre": "Ambient"})


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)
