"""factory_boy factories of the catalog: creators, tracks with a real stored file, playlists."""

import hashlib
import uuid

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from factory.django import DjangoModelFactory

from apps.accounts.models import Role
from apps.catalog.models import Playlist, ProcessingStatus, Track
from tests.accounts.factories import UserFactory


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
