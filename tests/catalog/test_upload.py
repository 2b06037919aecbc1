"""POST /api/v1/tracks: creators only, bytes sniffed, size capped, processed by Celery."""

import io

import av
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import AuditLog
from apps.catalog.audio import NOT_AUDIO_MESSAGE
from apps.catalog.demo_audio import sine_audio
from apps.catalog.models import Track
from apps.catalog.services import track_process
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory, TrackFactory
from tests.conftest import bearer_client
from tests.storage_backend import stored_names

URL = "/api/v1/tracks"


def _stored_files(media_root) -> list[str]:
    """Every file in the test's storage (its media folder, or its bucket)."""
    return stored_names()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "content_type", "codec"),
    [
        ("mp3", "audio/mpeg", "mp3float"),
        ("ogg", "audio/ogg", "opus"),
        ("flac", "audio/flac", "flac"),
        ("wav", "audio/wav", "pcm_s16le"),
    ],
)
def test_creator_upload_is_stored_under_a_generated_name_and_processed_to_ready(
    fmt, content_type, codec, django_capture_on_commit_callbacks, media_root
):
    creator = CreatorFactory()
    data = sine_audio(fmt, seconds=2.0, tags={"artist": "Tagged Artist", "album": "Tagged LP"})
    upload = SimpleUploadedFile("../../etc/My Song.exe", data, content_type="text/plain")

    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(creator).post(
            URL, {"file": upload, "title": "Sine", "tags": ["Calm", "calm", " Test "]}
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "processing"
    assert body["content_type"] == content_type
    assert body["tags"] == ["calm", "test"]
    track = Track.objects.get(pk=body["id"])
    assert AuditLog.objects.filter(action="track.upload", target_id=str(track.pk)).count() == 1
    assert track.status == "ready"
    assert track.duration == pytest.approx(2.0, abs=0.02)
    assert track.bitrate > 0
    assert track.codec == codec
    assert track.artist_name == "Tagged Artist"  # filled from the tags, the uploader left it blank
    assert track.album == "Tagged LP"
    assert track.size == len(data)
    name = track.audio_file.name
    assert name.startswith("tracks/")
    assert name.endswith(f".{fmt}")
    assert "My Song" not in name
    assert ".." not in name
    assert _stored_files(media_root) == [name]
    with default_storage.open(name, "rb") as stored:
        assert stored.read() == data
    assert AuditLog.objects.filter(action="track.upload", target_id=str(track.pk)).count() == 1


@pytest.mark.django_db
def test_uploader_fields_win_over_file_tags(mp3_bytes, django_capture_on_commit_callbacks):
    creator = CreatorFactory()
    upload = SimpleUploadedFile("a.mp3", mp3_bytes, content_type="audio/mpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(creator).post(
            URL, {"file": upload, "title": "Mine", "artist_name": "Me", "genre": "Rock"}
        )
    track = Track.objects.get(pk=response.json()["id"])
    assert (track.title, track.artist_name, track.genre) == ("Mine", "Me", "Rock")


@pytest.mark.django_db
def test_plain_user_cannot_upload_and_nothing_is_stored(mp3_bytes, media_root):
    user = UserFactory(is_verified=True)
    upload = SimpleUploadedFile("a.mp3", mp3_bytes, content_type="audio/mpeg")

    response = bearer_client(user).post(URL, {"file": upload, "title": "Nope"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "CREATOR_ROLE_REQUIRED"
    assert Track.objects.count() == 0
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_anonymous_upload_needs_login(api_client, mp3_bytes):
    upload = SimpleUploadedFile("a.mp3", mp3_bytes, content_type="audio/mpeg")
    response = api_client.post(URL, {"file": upload, "title": "Nope"})
    assert response.status_code == 401
    assert Track.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        b"ID3 but really just text" * 50,
        b"\x89PNG\r\n\x1a\n" + bytes(600),
        b"%PDF-1.4\n" + b"x" * 900,
    ],
    ids=["text-named-mp3", "png", "pdf"],
)
def test_non_audio_bytes_are_refused_with_415_whatever_the_name_and_type(payload, media_root):
    creator = CreatorFactory()
    upload = SimpleUploadedFile("song.mp3", payload, content_type="audio/mpeg")

    response = bearer_client(creator).post(URL, {"file": upload, "title": "Fake"})

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert Track.objects.count() == 0
    assert _stored_files(media_root) == []


MIB = 1024 * 1024


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        bytes(3 * MIB),
        b"<!DOCTYPE html><html><body>" + b"<p>not a song</p>" * (3 * MIB // 17) + b"</body></html>",
        b"<html><body>hi</body></html>",
        sine_audio("mp3", seconds=1.0)[:200],
    ],
    ids=["3MiB-of-zeros", "3MiB-of-html", "small-html", "mp3-header-only"],
)
def test_bytes_named_mp3_are_judged_by_content_and_refused_in_plain_words(
    payload, media_root, caplog
):
    creator = CreatorFactory()
    upload = SimpleUploadedFile("song.mp3", payload, content_type="audio/mpeg")

    with caplog.at_level("INFO", logger="apps.catalog.services"):
        response = bearer_client(creator).post(URL, {"file": upload, "title": "Fake"})

    assert response.status_code == 415
    assert response.json() == {
        "error": {
            "code": "UNSUPPORTED_MEDIA_TYPE",
            "message": response.json()["error"]["message"],
            "details": {"file": [response.json()["error"]["message"]]},
        }
    }
    message = response.json()["error"]["message"]
    assert message in (
        NOT_AUDIO_MESSAGE,
        "The file looks like audio but its sound could not be decoded; it may be damaged or "
        "incomplete.",
    )
    for leak in ("/tmp", "Errno", "avformat", "avcodec", "Invalid data", ".upload"):
        assert leak not in response.content.decode()
    # The technical detail is in the server log instead.
    assert any("refused as not audio" in r.getMessage() for r in caplog.records)
    assert Track.objects.count() == 0
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_a_refusal_names_the_accepted_formats_exactly():
    creator = CreatorFactory()
    upload = SimpleUploadedFile("notes.mp3", b"just some text" * 100, content_type="audio/mpeg")

    response = bearer_client(creator).post(URL, {"file": upload, "title": "Fake"})

    assert response.status_code == 415
    assert response.json() == {
        "error": {
            "code": "UNSUPPORTED_MEDIA_TYPE",
            "message": (
                "The file is not an audio file we can read "
                "(MP3, FLAC, WAV, OGG/Opus, AAC/M4A, AIFF, WebM)."
            ),
            "details": {
                "file": [
                    "The file is not an audio file we can read "
                    "(MP3, FLAC, WAV, OGG/Opus, AAC/M4A, AIFF, WebM)."
                ]
            },
        }
    }


def _tiny_video() -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for pts in range(5):
            frame = av.VideoFrame(64, 48, "yuv420p")
            frame.pts = pts
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_video_is_refused_with_a_sentence_that_says_so(media_root):
    creator = CreatorFactory()
    upload = SimpleUploadedFile("clip.m4a", _tiny_video(), content_type="audio/mp4")

    response = bearer_client(creator).post(URL, {"file": upload, "title": "Clip"})

    assert response.status_code == 415
    assert response.json() == {
        "error": {
            "code": "UNSUPPORTED_MEDIA_TYPE",
            "message": "The file is a video; upload the audio alone.",
            "details": {"file": ["The file is a video; upload the audio alone."]},
        }
    }
    assert Track.objects.count() == 0
    assert _stored_files(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["song.txt", "song", "song.wav"])
def test_real_audio_is_accepted_whatever_its_name(
    name, django_capture_on_commit_callbacks, media_root
):
    """The name is not evidence either way: a real MP3 named .txt or with no extension plays."""
    creator = CreatorFactory()
    data = sine_audio("mp3", seconds=2.0)
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")

    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(creator).post(URL, {"file": upload, "title": "Named oddly"})

    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "audio/mpeg"
    track = Track.objects.get(pk=response.json()["id"])
    assert track.status == "ready"
    assert track.audio_file.name.endswith(".mp3")


@pytest.mark.django_db
def test_declared_oversized_body_is_refused_before_it_is_read(settings, mp3_bytes, media_root):
    settings.TRACK_UPLOAD_MAX_BYTES = 1000
    creator = CreatorFactory()
    client = bearer_client(creator)
    # Claims 10 MB but sends a few bytes: answered from the header alone.
    response = client.generic(
        "POST",
        URL,
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10_000_000),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert Track.objects.count() == 0


@pytest.mark.django_db
def test_streamed_upload_is_stopped_at_the_limit(settings, media_root):
    """Content-Length within the multipart slack, file over the limit: the handler stops it."""
    settings.TRACK_UPLOAD_MAX_BYTES = 40_000
    creator = CreatorFactory()
    data = sine_audio("wav", seconds=0.6)  # ~57 KB
    assert 40_000 < len(data) < 40_000 + 64 * 1024
    upload = SimpleUploadedFile("a.wav", data, content_type="audio/wav")

    response = bearer_client(creator).post(URL, {"file": upload, "title": "Big"})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert Track.objects.count() == 0
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_upload_without_file_is_a_validation_error():
    creator = CreatorFactory()
    response = bearer_client(creator).post(URL, {"title": "No file"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["file"]


@pytest.mark.django_db
def test_unreadable_stored_file_moves_the_track_to_failed_with_a_reason():
    track = TrackFactory(status="processing", content=b"not audio at all" * 10)

    track = track_process(track_id=track.pk)

    assert track.status == "failed"
    assert track.failure_reason == f"Could not read the audio: {NOT_AUDIO_MESSAGE}"
    assert AuditLog.objects.filter(action="track.processing_failed").count() == 1


@pytest.mark.django_db
def test_processing_is_idempotent_once_the_track_left_processing(mp3_bytes):
    track = TrackFactory(status="ready", duration=99.0, content=mp3_bytes)
    assert track_process(track_id=track.pk).duration == 99.0
