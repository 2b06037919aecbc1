"""Uploads stream into storage and leave nothing behind when they fail; processing works on a
temporary local copy and cleans up (both backends: the suite's, see tests/storage_backend.py)."""

import glob
import io
import os
import tempfile

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.catalog.demo_audio import sine_audio
from apps.catalog.models import HlsStatus, Track
from apps.streaming import services as streaming_services
from tests.catalog.factories import CreatorFactory, TrackFactory
from tests.conftest import bearer_client
from tests.storage_backend import TEST_STORAGE, stored_names
from veza import storage

MiB = 1024 * 1024


class BrokenStream(io.RawIOBase):
    """A file that delivers ``good`` bytes and then fails, as a client connection dropping
    or a disk error would in the middle of an upload."""

    def __init__(self, good: int, total: int):
        super().__init__()
        self._good, self._total, self._position = good, total, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._position

    def seek(self, offset, whence=io.SEEK_SET):
        self._position = offset if whence == io.SEEK_SET else self._total + offset
        return self._position

    def readinto(self, buffer):
        if self._position >= self._good:
            raise OSError("connection reset while reading the upload")
        n = min(len(buffer), self._good - self._position)
        buffer[:n] = b"\x01" * n
        self._position += n
        return n


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3 * MiB, 20 * MiB], ids=["single-part", "multipart"])
def test_an_upload_that_fails_midway_leaves_no_orphan_object(size):
    stream = BrokenStream(good=size // 2, total=size)
    upload = File(io.BufferedReader(stream, buffer_size=MiB), name="upload.mp3")
    upload.size = size

    with pytest.raises(OSError, match="connection reset"):
        storage.save_new("tracks/test/broken.mp3", upload)

    assert stored_names() == []
    if storage.is_s3():
        s3 = storage.storages["default"]
        uploads = s3.connection.meta.client.list_multipart_uploads(Bucket=s3.bucket_name)
        assert uploads.get("Uploads", []) == []


@pytest.mark.django_db
def test_an_upload_whose_row_cannot_be_written_removes_its_stored_file(
    mp3_bytes, django_capture_on_commit_callbacks, monkeypatch
):
    creator = CreatorFactory()

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("apps.catalog.services.tracks.audit_record", fail)
    upload = SimpleUploadedFile("a.mp3", mp3_bytes, content_type="audio/mpeg")
    response = bearer_client(creator).post("/api/v1/tracks", {"file": upload, "title": "Lost"})

    assert response.status_code == 500
    assert Track.objects.count() == 0
    assert stored_names() == []


@pytest.mark.django_db
def test_a_big_upload_is_stored_from_its_temporary_file(
    settings, django_capture_on_commit_callbacks
):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE the upload is spooled to disk and streamed on."""
    creator = CreatorFactory()
    data = sine_audio("wav", seconds=40.0)  # about 3.8 MB of PCM
    assert len(data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    upload = SimpleUploadedFile("big.wav", data, content_type="audio/wav")
    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(creator).post("/api/v1/tracks", {"file": upload, "title": "Big"})

    assert response.status_code == 201, response.content
    track = Track.objects.get(pk=response.json()["id"])
    assert track.status == "ready"
    assert stored_names() == [track.audio_file.name]
    with default_storage.open(track.audio_file.name, "rb") as stored:
        assert stored.read() == data


def _temp_copies() -> list[str]:
    return glob.glob(os.path.join(tempfile.gettempdir(), "veza-media-*")) + glob.glob(
        os.path.join(tempfile.gettempdir(), "veza-hls-*")
    )


@pytest.mark.django_db
def test_local_copy_is_a_chunked_copy_removed_on_exit_even_after_an_error():
    name = default_storage.save("tracks/test/copy.bin", ContentFile(os.urandom(3 * MiB + 5)))
    with default_storage.open(name, "rb") as handle:
        expected = handle.read()
    before = set(_temp_copies())

    with storage.local_copy(name) as path, open(path, "rb") as copy:
        assert copy.read() == expected
    with pytest.raises(ValueError, match="probe failed"), storage.local_copy(name) as path:
        raise ValueError("probe failed")

    assert not os.path.exists(path)
    assert set(_temp_copies()) == before


@pytest.mark.django_db
def test_local_copy_of_a_missing_file_is_file_not_found():
    with pytest.raises(FileNotFoundError), storage.local_copy("tracks/none.mp3"):
        pass


@pytest.mark.django_db
def test_a_transcode_that_fails_midway_deletes_its_partial_renditions_and_a_retry_succeeds(
    settings, monkeypatch
):
    settings.HLS_BITRATES = [64]
    track = TrackFactory(content=sine_audio("mp3", seconds=8.0))
    real_save = storage.save_exact
    saved: list[str] = []

    def save_then_fail(name, content, storage_=None):
        if len(saved) == 2:
            raise OSError("bucket unreachable")
        saved.append(real_save(name, content))
        return saved[-1]

    monkeypatch.setattr(storage, "save_exact", save_then_fail)
    before = set(_temp_copies())

    failed = streaming_services.hls_transcode(track_id=track.pk)

    assert failed.hls_status == HlsStatus.FAILED
    assert len(saved) == 2  # two files were uploaded before the failure...
    assert stored_names(f"hls/{track.pk}") == []  # ...and removed
    assert set(_temp_copies()) == before

    monkeypatch.setattr(storage, "save_exact", real_save)
    retried = streaming_services.hls_transcode(track_id=track.pk)

    assert retried.hls_status == HlsStatus.READY
    names = stored_names(f"hls/{track.pk}")
    assert f"hls/{track.pk}/master.m3u8" in names
    assert f"hls/{track.pk}/64k/index.m3u8" in names
    assert any(name.endswith(".ts") for name in names)
    assert set(_temp_copies()) == before


def test_the_suite_runs_on_the_backend_it_was_asked_for():
    assert storage.is_s3() == (TEST_STORAGE == "s3")
