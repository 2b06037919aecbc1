"""Audio sniffing and probing with PyAV (FFmpeg's libraries, bundled in the wheel).

Uploads are judged by their bytes alone, never by file name or client MIME type: FFmpeg reads
them through a nameless file object (given a name, it trusts a ``.mp3`` extension over the
bytes, so zeros or HTML named ``song.mp3`` would pass as MP3), must find a container from an
allow-list with an audio stream in it, and must decode real audio samples from its first
packets.

PyAV (FFmpeg, ~25 MiB per process) is imported by the functions that use it: web processes
load it only when they sniff an upload, never at start (``tests/test_web_process.py``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import av

logger = logging.getLogger(__name__)

# FFmpeg demuxer name -> (stored extension, Content-Type served by /stream).
AUDIO_CONTAINERS: dict[str, tuple[str, str]] = {
    "mp3": ("mp3", "audio/mpeg"),
    "ogg": ("ogg", "audio/ogg"),
    "flac": ("flac", "audio/flac"),
    "wav": ("wav", "audio/wav"),
    "aiff": ("aiff", "audio/aiff"),
    "mov,mp4,m4a,3gp,3g2,mj2": ("m4a", "audio/mp4"),
    "matroska,webm": ("webm", "audio/webm"),
    "aac": ("aac", "audio/aac"),
}

# Tags FFmpeg reports (lower-cased) -> Track fields filled when the uploader left them blank.
TAG_FIELDS = {"artist": "artist_name", "album": "album", "genre": "genre", "title": "title"}


# What an uploader reads when the bytes are refused: no file paths, no library error numbers.
ACCEPTED_FORMATS = "MP3, FLAC, WAV, OGG/Opus, AAC/M4A, AIFF, WebM"
NOT_AUDIO_MESSAGE = f"The file is not an audio file we can read ({ACCEPTED_FORMATS})."
VIDEO_MESSAGE = "The file is a video; upload the audio alone."
UNDECODABLE_MESSAGE = (
    "The file looks like audio but its sound could not be decoded; it may be damaged or incomplete."
)
# Packets read while looking for the first decoded samples (a few seconds of any codec).
DECODE_PROBE_PACKETS = 64


class NotAudio(Exception):
    """The bytes are not an audio file Veza accepts.

    ``str(exc)`` is the sentence for the uploader; ``detail`` is FFmpeg's own account, for logs.
    """

    def __init__(self, message: str = NOT_AUDIO_MESSAGE, *, detail: str = ""):
        super().__init__(message)
        self.detail = detail or message


class _Nameless(io.RawIOBase):
    """A binary file seen without its name, so FFmpeg cannot guess the format from it."""

    def __init__(self, raw):
        super().__init__()
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()


@dataclass(frozen=True)
class AudioInfo:
    container: str
    extension: str
    content_type: str
    codec: str
    duration: float | None
    bitrate: int | None
    tags: dict[str, str] = field(default_factory=dict)


def _open(source) -> av.container.InputContainer:
    import av

    try:
        return av.open(_Nameless(source), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise NotAudio(detail=str(exc)) from exc


def _first_samples_decode(container, stream) -> None:
    """Raise :class:`NotAudio` unless the first packets of ``stream`` decode to samples."""
    import av

    try:
        for index, packet in enumerate(container.demux(stream)):
            if index >= DECODE_PROBE_PACKETS:
                break
            if any(frame.samples > 0 for frame in packet.decode()):
                return
    except (av.FFmpegError, ValueError) as exc:
        raise NotAudio(UNDECODABLE_MESSAGE, detail=str(exc)) from exc
    raise NotAudio(UNDECODABLE_MESSAGE, detail="no decoded samples in the first packets")


def audio_probe(source) -> AudioInfo:
    """Sniff ``source`` (a path or a binary file object). Raises :class:`NotAudio`."""
    if isinstance(source, str | bytes):
        with open(source, "rb") as handle:
            return audio_probe(handle)
    import av

    container = _open(source)
    try:
        format_name = container.format.name
        if format_name not in AUDIO_CONTAINERS:
            raise NotAudio(detail=f"container {format_name!r} is not an accepted audio format")
        if container.streams.video and any(
            not (s.disposition & av.stream.Disposition.attached_pic)
            for s in container.streams.video
        ):
            raise NotAudio(VIDEO_MESSAGE, detail="video stream present")
        audio_streams = container.streams.audio
        if not audio_streams:
            raise NotAudio(detail="no audio stream")
        stream = audio_streams[0]
        duration = None
        if container.duration is not None:
            duration = container.duration / av.time_base
        elif stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        bitrate = container.bit_rate or stream.bit_rate or None
        tags = {k.lower(): str(v) for k, v in {**container.metadata, **stream.metadata}.items()}
        extension, content_type = AUDIO_CONTAINERS[format_name]
        codec = stream.codec_context.name or ""
        _first_samples_decode(container, stream)
        return AudioInfo(
            container=format_name,
            extension=extension,
            content_type=content_type,
            codec=codec,
            duration=round(duration, 3) if duration is not None else None,
            bitrate=int(bitrate) if bitrate else None,
            tags=tags,
        )
    finally:
        container.close()
