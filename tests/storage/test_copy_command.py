"""``manage.py media_copy_to_storage``: local media into the bucket, idempotent and resumable."""

import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from veza.management.commands import media_copy_to_storage

FILES = {
    "tracks/2026/01/a.mp3": os.urandom(1000),
    "tracks/2026/01/b.flac": os.urandom(2000),
    "covers/c.jpg": os.urandom(300),
    "hls/t1/64k/seg_00000.ts": os.urandom(188 * 10),
    "gdpr/exports/e.zip": os.urandom(50),
}


@pytest.fixture
def source(tmp_path):
    root = tmp_path / "old-media"
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def run(source, *args) -> tuple[str, str, Exception | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "media_copy_to_storage", "--source", str(source), *args, stdout=out, stderr=err
        )
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def bucket_contents(bucket) -> dict[str, bytes]:
    client = bucket.client()
    return {
        key: client.get_object(Bucket=bucket.name, Key=key)["Body"].read()
        for key in bucket.object_keys()
    }


def test_copies_everything_with_a_progress_bar_then_skips_it_all(source, s3_storage):
    out, err, error = run(source)
    again_out, _, again_error = run(source, "--no-progress")

    assert error is None
    assert out.strip() == "copied 5 (0.0 MB), skipped 0, failed 0"
    assert "media: 100%" in err  # the progress bar (tqdm), on stderr
    assert bucket_contents(s3_storage) == FILES
    head = s3_storage.client().head_object(Bucket=s3_storage.name, Key="tracks/2026/01/a.mp3")
    assert head["ContentType"] == "audio/mpeg"
    assert again_error is None
    assert again_out.strip() == "copied 0 (0.0 MB), skipped 5, failed 0"


def test_a_failed_file_is_counted_and_copied_by_the_next_run(source, s3_storage):
    broken = source / "tracks" / "broken.mp3"
    broken.symlink_to(source / "nowhere.mp3")

    out, err, error = run(source, "--no-progress")

    assert str(error) == "1 file(s) failed: run the command again to retry them."
    assert out.strip() == "copied 5 (0.0 MB), skipped 0, failed 1"
    assert "failed: tracks/broken.mp3" in err
    assert "tracks/broken.mp3" not in s3_storage.object_keys()

    broken.unlink()
    broken.write_bytes(b"now it exists")
    out, _, error = run(source, "--no-progress")

    assert error is None
    assert out.strip() == "copied 1 (0.0 MB), skipped 5, failed 0"
    assert bucket_contents(s3_storage)["tracks/broken.mp3"] == b"now it exists"


def test_an_interrupted_run_is_resumed_by_the_next(source, s3_storage, monkeypatch):
    real_copy = media_copy_to_storage.Command._copy
    calls = []

    def copy_then_interrupt(self, target, path, name):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(name)
        real_copy(self, target, path, name)

    monkeypatch.setattr(media_copy_to_storage.Command, "_copy", copy_then_interrupt)
    out, _, error = run(source, "--no-progress")

    assert str(error) == "Interrupted: run the command again to resume."
    assert out.strip() == "copied 2 (0.0 MB), skipped 0, failed 0"
    assert s3_storage.object_keys() == sorted(calls)

    monkeypatch.setattr(media_copy_to_storage.Command, "_copy", real_copy)
    out, _, error = run(source, "--no-progress")

    assert error is None
    assert out.strip() == "copied 3 (0.0 MB), skipped 2, failed 0"
    assert bucket_contents(s3_storage) == FILES


def test_an_object_of_another_size_is_copied_again_and_dry_run_copies_nothing(source, s3_storage):
    client = s3_storage.client()
    client.put_object(Bucket=s3_storage.name, Key="covers/c.jpg", Body=b"truncated")

    dry_out, _, _ = run(source, "--no-progress", "--dry-run")
    out, _, error = run(source, "--no-progress")

    assert dry_out.strip() == "would copy 5 (0.0 MB), skipped 0, failed 0"
    assert error is None
    assert out.strip() == "copied 5 (0.0 MB), skipped 0, failed 0"
    assert bucket_contents(s3_storage)["covers/c.jpg"] == FILES["covers/c.jpg"]


def test_refuses_to_copy_a_folder_onto_itself(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }

    _, _, error = run(tmp_path)

    assert "configure the bucket first" in str(error)
