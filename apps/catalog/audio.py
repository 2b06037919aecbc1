"""Audio sniffing and probing with PyAV (FFmpeg's libraries, bundled in the wheel).

Uploads are judged by their bytes, never by file name or client MIME type: FFmpeg must find a
container it knows from an allow-list and an audio stream in it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

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


class NotAudio(Exception):
    """The bytes are not an audio file Veza accepts."""


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
    try:
        return av.open(source, mode="r", metadata_errors="ignore")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise NotAudio(str(exc)) from exc


def audio_probe(source) -> AudioInfo:
    """Sniff ``source`` (a path or a binary file object). Raises :class:`NotAudio`."""
    container = _open(source)
    try:
        format_name = container.format.name
        if format_name not in AUDIO_CONTAINERS:
            raise NotAudio(f"container {format_name!r} is not an accepted audio format")
        audio_streams = container.streams.audio
        if not audio_streams:
            raise NotAudio("no audio stream")
        if container.streams.video and any(
            not (s.disposition & av.stream.Disposition.attached_pic)
            for s in container.streams.video
        ):
            raise NotAudio("video files are not audio tracks")
        stream = audio_streams[0]
        duration = None
        if container.duration is not None:
            duration = container.duration / av.time_base
        elif stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        bitrate = container.bit_rate or stream.bit_rate or None
        tags = {k.lower(): str(v) for k, v in {**container.metadata, **stream.metadata}.items()}
        extension, content_type = AUDIO_CONTAINERS[format_name]
        return AudioInfo(
            container=format_name,
            extension=extension,
            content_type=content_type,
            codec=stream.codec_context.name or "",
            duration=round(duration, 3) if duration is not None else None,
            bitrate=int(bitrate) if bitrate else None,
            tags=tags,
        )
    finally:
        container.close()
