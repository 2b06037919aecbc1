"""Hostile Range and conditional headers never cause a 500 (shared/API.md, /stream: "an
unsatisfiable range → 416 with Content-Range: bytes */256")."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.catalog.factories import TrackFactory

BODY = bytes(range(256))
HUGE = "9" * 4300  # int() of more than 4300 digits raises ValueError
SEGMENT = b"\x47" * 376


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def media_urls(hls_on, media_root):
    """The three byte-serving URLs of one track, with the size each one serves."""
    track = TrackFactory(hls_status="ready")
    default_storage.save(f"hls/{track.pk}/64k/seg_00000.ts", ContentFile(SEGMENT))
    base = f"/api/v1/tracks/{track.pk}"
    return [
        (f"{base}/stream", len(BODY)),
        (f"{base}/download", len(BODY)),
        (f"{base}/hls/64k/seg_00000.ts", len(SEGMENT)),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        f"bytes={HUGE}-",
        f"bytes=0-{HUGE}",
        f"bytes=-{HUGE}",
        f"bytes={HUGE}-{HUGE}",
        "bytes=0-1," + f"{HUGE}-",
        "bytes=" + "1" * 20 + "-",
        "bytes=٣-٤",  # non-ASCII digits
    ],
    ids=["huge-start", "huge-end", "huge-suffix", "both", "in-a-set", "20-digits", "arabic"],
)
def test_an_overlong_byte_position_is_416_with_the_size_on_every_media_url(
    api_client, media_urls, header
):
    for url, size in media_urls:
        response = api_client.get(url, HTTP_RANGE=header)
        assert response.status_code == 416, url
        assert response["Content-Range"] == f"bytes */{size}"
        assert response.json()["error"]["code"] == "RANGE_NOT_SATISFIABLE"


@pytest.mark.django_db
def test_the_largest_accepted_position_still_works(api_client):
    track = TrackFactory()
    url = f"/api/v1/tracks/{track.pk}/stream"
    nineteen = "9" * 19

    clamped = api_client.get(url, HTTP_RANGE=f"bytes=250-{nineteen}")
    past_the_end = api_client.get(url, HTTP_RANGE=f"bytes={nineteen}-")

    assert (clamped.status_code, clamped["Content-Range"]) == (206, "bytes 250-255/256")
    assert body_of(clamped) == BODY[250:]
    assert (past_the_end.status_code, past_the_end["Content-Range"]) == (416, "bytes */256")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        HUGE,
        "Sun, 99 Nov 9999 99:99:99 GMT",
        "Mon, 31 Feb 2020 00:00:00 GMT",
        "Sun, 06 Nov 0000 08:49:37 GMT",
        '"unterminated',
        "W/",
        "\x00\x01",
    ],
)
def test_garbage_if_range_and_if_modified_since_are_ignored(api_client, media_urls, value):
    for url, size in media_urls:
        ranged = api_client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=value)
        since = api_client.get(url, HTTP_IF_MODIFIED_SINCE=value)
        both = api_client.get(
            url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=value, HTTP_IF_MODIFIED_SINCE=value
        )
        # An If-Range that does not match sends the whole file (RFC 9110 13.1.5).
        assert (ranged.status_code, ranged["Content-Length"]) == (200, str(size)), url
        assert (since.status_code, since["Content-Length"]) == (200, str(size)), url
        assert both.status_code == 200, url
