"""Lesson media sniffing with PyAV: audio (the catalog's containers) or video.

Like track uploads, a lesson's file is judged by its bytes, never by its name or the client's
MIME type. Tracks must be audio only; a lesson may also be a video (MP4/MOV or WebM/Matroska).
PyAV is imported on first use: web processes do not load it at start.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.catalog.audio import AUDIO_CONTAINERS
from apps.education.models import MediaKind

# FFmpeg demuxer name -> (stored extension, Content-Type) when the file holds a video stream.
VIDEO_CONTAINERS: dict[str, tuple[str, str]] = {
    "mov,mp4,m4a,3gp,3g2,mj2": ("mp4", "video/mp4"),
    "matroska,webm": ("webm", "video/webm"),
}


class NotMedia(Exception):
    """The bytes are not an audio or video file a lesson accepts."""


@dataclass(frozen=True)
class MediaInfo:
    kind: str
    container: str
    extension: str
    content_type: str
    duration: float | None


def lesson_media_probe(source) -> MediaInfo:
    """Sniff ``source`` (a path or a binary file object). Raises :class:`NotMedia`."""
    import av

    try:
        container = av.open(source, mode="r", metadata_errors="ignore")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise NotMedia(str(exc)) from exc
    try:
        format_name = container.format.name
        videos = [
            stream
            for stream in container.streams.video
            if not (stream.disposition & av.stream.Disposition.attached_pic)
        ]
        if videos:
            if format_name not in VIDEO_CONTAINERS:
                raise NotMedia(f"container {format_name!r} is not an accepted video format")
            kind = MediaKind.VIDEO
            extension, content_type = VIDEO_CONTAINERS[format_name]
            stream = videos[0]
        else:
            if format_name not in AUDIO_CONTAINERS:
                raise NotMedia(f"container {format_name!r} is not an accepted audio format")
            if not container.streams.audio:
                raise NotMedia("no audio or video stream")
            kind = MediaKind.AUDIO
            extension, content_type = AUDIO_CONTAINERS[format_name]
            stream = container.streams.audio[0]
        duration = None
        if container.duration is not None:
            duration = container.duration / av.time_base
        elif stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        return MediaInfo(
            kind=kind,
            container=format_name,
            extension=extension,
            content_type=content_type,
            duration=round(duration, 3) if duration is not None else None,
        )
    finally:
        container.close()
