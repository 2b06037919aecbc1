"""Real audio files for demo data, tests and benches, encoded with PyAV (no system ffmpeg)."""

from __future__ import annotations

import array
import io
import math

import av

FORMATS = {
    # name: (container format, codec, sample format, file suffix)
    "mp3": ("mp3", "libmp3lame", "s16p", "mp3"),
    "ogg": ("ogg", "libopus", "s16", "ogg"),
    "flac": ("flac", "flac", "s16", "flac"),
    "wav": ("wav", "pcm_s16le", "s16", "wav"),
}


def sine_audio(
    fmt: str = "mp3",
    *,
    seconds: float = 2.0,
    rate: int = 48000,
    frequency: float = 440.0,
    tags: dict[str, str] | None = None,
) -> bytes:
    """``seconds`` of a mono sine wave encoded as ``fmt``."""
    container_format, codec, sample_format, _ = FORMATS[fmt]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container_format) as container:
        for key, value in (tags or {}).items():
            container.metadata[key] = value
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        if fmt == "mp3":
            stream.bit_rate = 128_000
        total = int(seconds * rate)
        frame_size = 1152
        done = 0
        while done < total:
            n = min(frame_size, total - done)
            wave = [0.3 * math.sin(2 * math.pi * frequency * (done + i) / rate) for i in range(n)]
            if sample_format.startswith("s16"):
                data = array.array("h", (int(v * 32767) for v in wave)).tobytes()
            else:
                data = array.array("f", wave).tobytes()
            frame = av.AudioFrame(format=sample_format, layout="mono", samples=n)
            frame.planes[0].update(data)
            frame.sample_rate = rate
            frame.pts = done
            for packet in stream.encode(frame):
                container.mux(packet)
            done += n
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()
