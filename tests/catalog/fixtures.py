"""Catalog and streaming fixtures: media in a temporary folder, real audio tracks, HLS switch."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import factory
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.accounts.models import Role
from apps.catalog import platform
from apps.catalog.models import Playlist, ProcessingStatus, Track
from tests.accounts.factories import UserFactory
from tests.audio import sine_audio


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes media into its own temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STREAM_ACCEL_REDIRECT = ""
    settings.PLAYS_COUNTRY_HEADER = ""
    return tmp_path / "media"


@pytest.fixture
def hls_on(monkeypatch):
    real = platform.flag_enabled
    monkeypatch.setattr(
        platform, "flag_enabled", lambda name: True if name == "hls_streaming" else real(name)
    )


@pytest.fixture
def hls_off(monkeypatch):
    real = platform.flag_enabled
    monkeypatch.setattr(
        platform, "flag_enabled", lambda name: False if name == "hls_streaming" else real(name)
    )


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
