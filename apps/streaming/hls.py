"""AAC HLS renditions with PyAV (FFmpeg's ``hls`` muxer, bundled in the wheel).

Each rendition is ``<bitrate>k/index.m3u8`` plus MPEG-TS segments; ``master.m3u8`` lists them
with their bandwidth and codec so players pick and switch.

PyAV is imported where it transcodes (Celery workers), not when web processes import this module.
"""

from __future__ import annotations

import os
from pathlib import Path

SEGMENT_PATTERN = "seg_%05d.ts"
MASTER = "master.m3u8"
VARIANT = "index.m3u8"
AAC_LC = "mp4a.40.2"


def rendition_name(kbps: int) -> str:
    return f"{kbps}k"


def _transcode_rendition(source: str, out_dir: Path, kbps: int, segment_seconds: int) -> None:
    import av
    from av.audio.resampler import AudioResampler

    out_dir.mkdir(parents=True, exist_ok=True)
    with av.open(source, mode="r") as inp:
        in_stream = inp.streams.audio[0]
        with av.open(
            str(out_dir / VARIANT),
            mode="w",
            format="hls",
            options={
                "hls_time": str(segment_seconds),
                "hls_playlist_type": "vod",
                "hls_segment_type": "mpegts",
                "hls_segment_filename": str(out_dir / SEGMENT_PATTERN),
            },
        ) as out:
            out_stream = out.add_stream("aac", rate=44100)
            out_stream.layout = "stereo"
            out_stream.bit_rate = kbps * 1000
            resampler = AudioResampler(format="fltp", layout="stereo", rate=44100)
            for frame in inp.decode(in_stream):
                frame.pts = None
                for resampled in resampler.resample(frame):
                    for packet in out_stream.encode(resampled):
                        out.mux(packet)
            for resampled in resampler.resample(None):
                for packet in out_stream.encode(resampled):
                    out.mux(packet)
            for packet in out_stream.encode(None):
                out.mux(packet)


def hls_transcode_to_directory(
    source: str, out_dir: str, *, bitrates: list[int], segment_seconds: int
) -> list[str]:
    """Write every rendition and the master playlist under ``out_dir``; returns relative names."""
    root = Path(out_dir)
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for kbps in sorted(set(bitrates)):
        name = rendition_name(kbps)
        _transcode_rendition(source, root / name, kbps, segment_seconds)
        lines.append(f'#EXT-X-STREAM-INF:BANDWIDTH={kbps * 1000 + 8000},CODECS="{AAC_LC}"')
        lines.append(f"{name}/{VARIANT}")
    (root / MASTER).write_text("\n".join(lines) + "\n")
    return sorted(
        str(Path(dirpath, filename).relative_to(root))
        for dirpath, _, filenames in os.walk(root)
        for filename in filenames
    )
