"""Small real media files for the tests, made by the same ffmpeg from its lavfi test sources.

Each takes well under a second: 2 s at 160x120, the fastest encoder settings.
"""

import subprocess
import zipfile
from pathlib import Path

import imageio_ffmpeg

DURATION = 2
WIDTH, HEIGHT = 160, 120
HANOI = "+21.0285+105.8542/"  # a shooting place that transcoding must not publish

_PICTURE = ["-f", "lavfi", "-i", f"testsrc=duration={DURATION}:size={WIDTH}x{HEIGHT}:rate=25"]
_SOUND = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={DURATION}:sample_rate=44100"]
_H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
_AAC = ["-c:a", "aac", "-b:a", "64k"]

# kind: (file name, ffmpeg arguments before the output file)
_ENCODED: dict[str, tuple[str, list[str]]] = {
    "mp4": ("sample.mp4", [*_PICTURE, *_SOUND, *_H264, *_AAC]),
    "webm": (
        "sample.webm",
        [*_PICTURE, *_SOUND, "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p"]
        + ["-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k", "-c:a", "libopus"],
    ),
    "avi_mpeg4": (
        "sample.avi",
        [*_PICTURE, *_SOUND, "-c:v", "mpeg4", "-c:a", "libmp3lame", "-b:a", "64k"],
    ),
    "mov_h264": (
        "sample.mov",
        [*_PICTURE, *_SOUND, *_H264, *_AAC, "-metadata", f"location={HANOI}"],
    ),
    "audio_only": ("sample.m4a", [*_SOUND, *_AAC]),
    "hevc_10bit_mkv": (
        "sample.mkv",
        [*_PICTURE, *_SOUND, "-c:v", "libx265", "-pix_fmt", "yuv420p10le"]
        + ["-preset", "ultrafast", "-x265-params", "log-level=error", "-c:a", "libvorbis"],
    ),
    "3gp_h264": ("sample.3gp", [*_PICTURE, *_SOUND, *_H264, *_AAC]),
    "mpegts_h264": ("sample.ts", [*_PICTURE, *_SOUND, *_H264, *_AAC]),
    "flv_h264": ("sample.flv", [*_PICTURE, *_SOUND, *_H264, *_AAC]),
    "asf_wmv": ("sample.wmv", [*_PICTURE, *_SOUND, "-c:v", "wmv2", "-c:a", "wmav2"]),
    "mpegps_mpeg2": (
        "sample.mpg",
        [*_PICTURE, *_SOUND, "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "vob"],
    ),
    # One frame of a portrait 1440p video, above the 1080p cap.
    "portrait_1440p_mp4": (
        "portrait.mp4",
        ["-f", "lavfi", "-i", "testsrc=duration=0.2:size=1440x2560:rate=5", *_H264],
    ),
}
# Derived from the plain "mp4" sample.
_DERIVED = (
    "truncated_mp4",
    "truncated_faststart_mp4",
    "mp4_without_moov",
    "garbled_mp4",
    "rotated_mp4",
    "located_mp4",
)
SAMPLE_KINDS = (*_ENCODED, *_DERIVED)
FAKE_KINDS = ("text_named_mp4", "playlist_named_mp4", "zip_named_mp4", "empty")

VIETNAMESE_TEXT = "Bài dự thi: Cải cách hành chính ở xã Tân Phú, huyện Đông Hòa.\n" * 20


def ffmpeg(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the tests' ffmpeg; raise when it fails."""
    # A list of arguments and no shell, from the tests themselves.
    return subprocess.run(  # noqa: S603
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", *arguments],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=60,
        check=True,
    )


def make_sample(directory: Path, kind: str) -> Path:
    """Encode (or derive) a sample of `kind`, one of SAMPLE_KINDS, into `directory`."""
    if kind in _ENCODED:
        name, arguments = _ENCODED[kind]
        path = directory / name
        ffmpeg("-loglevel", "error", "-y", *arguments, "-shortest", str(path))
        return path
    if kind == "truncated_faststart_mp4":
        source = directory / "faststart.mp4"
        faststart = [*_ENCODED["mp4"][1], "-movflags", "+faststart", "-shortest", str(source)]
        ffmpeg("-loglevel", "error", "-y", *faststart)
        return _cut(source, directory / "truncated_faststart.mp4")
    source = directory / _ENCODED["mp4"][0]
    if not source.exists():
        make_sample(directory, "mp4")
    if kind == "truncated_mp4":
        # ffmpeg writes the moov index last: the cut loses it, and part of mdat's frames.
        return _cut(source, directory / "truncated.mp4")
    if kind == "mp4_without_moov":
        # Every box complete but the index: only ffmpeg can tell ("moov atom not found").
        path = directory / "without_moov.mp4"
        data = source.read_bytes()
        kept = [data[start:end] for box, start, end in boxes(data) if box != b"moov"]
        path.write_bytes(b"".join(kept))
        return path
    if kind == "garbled_mp4":
        # The index intact, the frames zeroed: it opens, but no frame decodes.
        path = directory / "garbled.mp4"
        data = bytearray(source.read_bytes())
        for box, start, end in boxes(bytes(data)):
            if box == b"mdat":
                data[start + 8 : end] = bytes(end - start - 8)
        path.write_bytes(bytes(data))
        return path
    if kind == "rotated_mp4":
        # A phone held upright: 160x120 stored, a display matrix turning it by 90 degrees.
        path = directory / "rotated.mp4"
        rotate = ["-display_rotation", "90", "-i", str(source), "-c", "copy", str(path)]
        ffmpeg("-loglevel", "error", "-y", *rotate)
        return path
    if kind == "located_mp4":
        # A phone's MP4: playable as is, but it says where it was shot.
        path = directory / "located.mp4"
        tag = ["-i", str(source), "-c", "copy", "-metadata", f"location={HANOI}", str(path)]
        ffmpeg("-loglevel", "error", "-y", *tag)
        return path
    raise ValueError(f"unknown sample kind {kind!r}")


def _cut(source: Path, path: Path) -> Path:
    """The first 40% of `source`, as an interrupted upload leaves it."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 5])
    return path


def boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """The top-level ISO BMFF boxes of a complete file: (type, start, end)."""
    found, position = [], 0
    while position + 8 <= len(data):
        size = int.from_bytes(data[position : position + 4], "big")
        found.append((data[position + 4 : position + 8], position, position + size))
        position += size
    return found


def write_fake(directory: Path, kind: str) -> Path:
    """A file named .mp4 that is no video: one of FAKE_KINDS."""
    path = directory / f"{kind}.mp4"
    if kind == "text_named_mp4":
        path.write_bytes(VIETNAMESE_TEXT.encode())
    elif kind == "playlist_named_mp4":
        # The classic attack: an HLS playlist that makes ffmpeg read a local file.
        path.write_text("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n")
    elif kind == "zip_named_mp4":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bai_du_thi.txt", VIETNAMESE_TEXT)
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        raise ValueError(f"unknown fake kind {kind!r}")
    return path
