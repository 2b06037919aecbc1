"""Chunked uploads (Transfer-Encoding: chunked, no Content-Length) behind a real gunicorn.

gunicorn de-chunks the body and says so (``wsgi.input_terminated``): the upload is read to its
end, up to the size limit. A server that does not (Django's runserver) gets 411 LENGTH_REQUIRED
instead of an upload silently read as empty (shared/API.md, POST /tracks).
"""

import io

import pytest
import requests
from django.db import connection

from apps.catalog.demo_audio import sine_audio
from apps.catalog.exceptions import PayloadTooLarge
from apps.catalog.models import Track
from apps.catalog.uploads import CappedInput
from tests.catalog.factories import CreatorFactory
from tests.conftest import bearer_client
from tests.servers import gunicorn_server

BOUNDARY = "veza-chunked-boundary"


def _multipart_chunks(data: bytes, title: str, chunk: int = 8192):
    """A multipart body as a generator: requests then sends it chunked, without a length."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\n{title}\r\n'
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
        'name="file"; filename="chunked.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n'
    ).encode()
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _post_chunked(base: str, creator, data: bytes, title: str):
    return requests.post(
        f"{base}/api/v1/tracks",
        data=_multipart_chunks(data, title),
        headers={
            "Authorization": bearer_client(creator)._credentials["HTTP_AUTHORIZATION"],
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
        timeout=60,
    )


@pytest.fixture
def server(transactional_db, media_root):
    if connection.vendor != "postgresql":
        pytest.skip("the server process needs a database it can share with the test")
    env = {
        "MEDIA_ROOT": str(media_root),
        "TRACK_UPLOAD_MAX_BYTES": "100000",
        "CELERY_BROKER_URL": "memory://",  # processing runs in the server process
    }
    with gunicorn_server(extra_env=env) as base:
        yield base


def test_a_chunked_upload_through_gunicorn_is_stored_whole_and_a_too_large_one_is_413(server):
    creator = CreatorFactory()
    data = sine_audio("mp3", seconds=3.0)  # ~48 KB, under the 100 KB limit
    assert 30_000 < len(data) < 100_000

    accepted = _post_chunked(server, creator, data, "Chunked")

    assert accepted.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in accepted.request.headers
    assert accepted.status_code == 201, accepted.text
    track = Track.objects.get(pk=accepted.json()["id"])
    assert (track.title, track.size, track.content_type) == ("Chunked", len(data), "audio/mpeg")
    assert track.status == "ready"

    too_large = _post_chunked(server, creator, data * 3, "Too large")  # ~144 KB

    assert too_large.status_code == 413
    assert too_large.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"

    # No file at all, but a body past the limit plus the multipart slack: the body cap stops it.
    huge_field = _post_chunked(server, creator, b"", "x" * 300_000)

    assert huge_field.status_code == 413
    assert huge_field.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert Track.objects.count() == 1


def test_the_body_cap_reads_to_the_end_but_never_past_the_limit():
    source = io.BytesIO(b"a" * 10 + b"\n" + b"b" * 10)
    capped = CappedInput(source, limit=15, max_bytes=10)

    assert capped.readline() == b"a" * 10 + b"\n"
    assert capped.read(4) == b"bbbb"
    with pytest.raises(PayloadTooLarge):
        capped.read()
    assert source.tell() == 16  # one byte past the limit, not the whole body

    whole = CappedInput(io.BytesIO(b"c" * 15), limit=15, max_bytes=10)
    assert whole.read() == b"c" * 15
    assert whole.read() == b""


@pytest.mark.django_db
def test_a_chunked_body_the_server_did_not_dechunk_is_411_length_required():
    """As under runserver: no ``wsgi.input_terminated``, so the body cannot be read safely."""
    creator = CreatorFactory()

    response = bearer_client(creator).generic(
        "POST",
        "/api/v1/tracks",
        data=b"",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert response.status_code == 411
    assert response.json() == {
        "error": {
            "code": "LENGTH_REQUIRED",
            "message": "Send the upload with a Content-Length header: this server cannot read "
            "a chunked body.",
            "details": {},
        }
    }
    assert Track.objects.count() == 0
