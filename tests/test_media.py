"""Uploaded videos: sniffing, reading ffmpeg's report, probing, thumbnails and transcoding.

The reports below were captured from the ffmpeg that imageio-ffmpeg ships (9.0); the media
files are made by the same ffmpeg from its test sources (tests/media_samples.py).
"""

import bz2
import gzip
import lzma
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.media import (
    CONTAINERS,
    MediaError,
    MediaInfo,
    NotAVideo,
    browser_playable,
    ffmpeg_version,
    make_thumbnail,
    parse_ffmpeg_report,
    probe,
    sniff_container,
    transcode_to_mp4,
)
from tests.media_samples import (
    DURATION,
    FAKE_KINDS,
    HANOI,
    HEIGHT,
    SAMPLE_KINDS,
    VIETNAMESE_TEXT,
    WIDTH,
    boxes,
    ffmpeg,
    make_sample,
    write_fake,
)

CODES = {"empty", "archive", "document", "image", "text", "audio_only", "unknown_format"}
CODES_OF_PROBE = CODES | {"unreadable"}


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, Path]:
    """Every sample and fake, made once: about a second in all."""
    directory = tmp_path_factory.mktemp("media")
    made = {kind: make_sample(directory, kind) for kind in SAMPLE_KINDS}
    return made | {kind: write_fake(directory, kind) for kind in FAKE_KINDS}


def info_of(container: str, video: str | None, pixels: str | None, audio: str | None) -> MediaInfo:
    return MediaInfo(container, 2.0, WIDTH, HEIGHT, video, pixels, audio)


# Sniffing: the signatures


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08free"


def ebml(doc_type: bytes) -> bytes:
    """An EBML header as ffmpeg writes it, then a Segment of unknown size."""
    children = b"".join(
        (
            b"\x42\x86\x81\x01",  # EBMLVersion 1
            b"\x42\xf7\x81\x01",  # EBMLReadVersion 1
            b"\x42\xf2\x81\x04",  # EBMLMaxIDLength 4
            b"\x42\xf3\x81\x08",  # EBMLMaxSizeLength 8
            b"\x42\x82" + bytes([0x80 | len(doc_type)]) + doc_type,
            b"\x42\x87\x81\x04",  # DocTypeVersion 4
            b"\x42\x85\x81\x02",  # DocTypeReadVersion 2
        )
    )
    segment = b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(children)]) + children + segment


def atom(kind: bytes, size: int = 8) -> bytes:
    return size.to_bytes(4, "big") + kind + bytes(24)


@pytest.mark.parametrize(
    ("head", "container"),
    [
        (ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), "mp4"),
        (ftyp(b"mp41"), "mp4"),
        (ftyp(b"mp42", b"mp42", b"isom"), "mp4"),
        (ftyp(b"avc1"), "mp4"),
        (ftyp(b"iso2"), "mp4"),
        (ftyp(b"iso5", b"dash"), "mp4"),
        (ftyp(b"dash"), "mp4"),
        (ftyp(b"M4V ", b"M4V ", b"M4A ", b"mp42"), "mp4"),
        (ftyp(b"XAVC", b"XAVC", b"mp42", b"iso2"), "mp4"),  # Sony's own brand, mp42 compatible
        (ftyp(b"CAEP"), "mp4"),  # an unknown vendor brand is still ISO BMFF
        (ftyp(b"qt  ", b"qt  "), "mov"),
        (ftyp(b"3gp4", b"isom", b"3gp4"), "3gp"),
        (ftyp(b"3gp5"), "3gp"),
        (ftyp(b"3g2a"), "3gp"),
        (atom(b"moov", 1024), "mov"),
        (atom(b"mdat", 0), "mov"),  # size 0: up to the end of the file
        (atom(b"wide"), "mov"),
        (atom(b"free"), "mov"),
        (b"\x00\x00\x00\x08wide\x01\x2a\x3b\x4cmdat" + bytes(16), "mov"),
        (ebml(b"webm"), "webm"),
        (ebml(b"matroska"), "matroska"),
        (b"\x1a\x45\xdf\xa3\x80" + bytes(16), "matroska"),  # no DocType: Matroska's default
        (b"RIFF\x24\x10\x00\x00AVI LIST\x00\x01\x00\x00hdrlavih", "avi"),
        ((b"\x47" + bytes(187)) * 3, "mpegts"),
        ((b"\x00\x00\x00\x00\x47" + bytes(187)) * 3, "mpegts"),  # M2TS from camcorders
        (b"\x00\x00\x01\xba\x44\x00\x04\x00\x04\x01\x01\x89\xc3\xf8", "mpegps"),
        (b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00", "flv"),
        (bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c") + bytes(14), "asf"),
    ],
)
def test_sniff_names_each_container(head: bytes, container: str) -> None:
    assert sniff_container(head) == container
    assert container in CONTAINERS


def test_every_container_has_a_signature_test() -> None:
    # The parametrization above covers every key; keep them in step.
    assert set(CONTAINERS) == {
        "mp4", "mov", "3gp", "webm", "matroska", "avi", "mpegts", "mpegps", "flv", "asf"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "container"),
    [
        ("mp4", "mp4"),
        ("webm", "webm"),
        ("avi_mpeg4", "avi"),
        ("mov_h264", "mov"),
        ("hevc_10bit_mkv", "matroska"),
        ("3gp_h264", "3gp"),
        ("mpegts_h264", "mpegts"),
        ("flv_h264", "flv"),
        ("asf_wmv", "asf"),
        ("mpegps_mpeg2", "mpegps"),
        ("audio_only", "mp4"),  # an M4A is an MP4: probing finds no picture in it
    ],
)
def test_sniff_real_files(samples, kind: str, container: str) -> None:
    assert sniff_container(samples[kind].read_bytes()[:4096]) == container


# Sniffing: the rejections


def rejected(head: bytes) -> str:
    with pytest.raises(NotAVideo) as caught:
        sniff_container(head)
    return caught.value.code


@pytest.mark.parametrize(
    ("head", "code"),
    [
        (b"", "empty"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "archive"),
        (b"PK\x05\x06" + bytes(18), "archive"),
        (b"Rar!\x1a\x07\x01\x00", "archive"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "archive"),
        (gzip.compress(b"video"), "archive"),
        (bz2.compress(b"video"), "archive"),
        (lzma.compress(b"video"), "archive"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(24), "document"),  # .doc, .xls, .ppt
        (b"{\\rtf1\\ansi\\deff0", "document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image"),
        (b"\xff\xd8\xff\xe1\x2a\x3aExif\x00\x00", "image"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image"),
        (b"GIF87a\x10\x00\x10\x00", "image"),
        (b"GIF89a\x10\x00\x10\x00", "image"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image"),
        (ftyp(b"heic", b"mif1", b"heic"), "image"),  # an iPhone photo
        (ftyp(b"mif1", b"mif1", b"heic"), "image"),
        (ftyp(b"avif", b"avif", b"mif1", b"miaf"), "image"),
        (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00", "image"),
        (b"II*\x00\x08\x00\x00\x00", "image"),
        (VIETNAMESE_TEXT.encode(), "text"),
        (VIETNAMESE_TEXT.encode("utf-16"), "text"),  # with its byte order mark
        (VIETNAMESE_TEXT.encode("cp1258", errors="replace"), "text"),  # Windows-1258
        ("<!DOCTYPE html><html lang='vi'><title>Lỗi</title>".encode(), "text"),
        (b'{"error": "not found", "status": 404}', "text"),
        (b"#EXTM3U\n#EXTINF:10.0,\nfile:///etc/passwd\n", "text"),
        (
            b"ho_ten,don_vi\r\nNguy\xe1\xbb\x85n V\xc4\x83n A,X\xc3\xa3 T\xc3\xa2n Ph\xc3\xba\r\n",
            "text",
        ),
        (b"ID3\x04\x00\x00\x00\x00\x00\x23TSSE", "audio_only"),
        (b"\xff\xfb\x90\x64\x00\x00\x00\x00", "audio_only"),  # an MP3 frame
        (b"fLaC\x00\x00\x00\x22", "audio_only"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "audio_only"),
        (b"\x00\x00\x00\x01\x67\x42\xc0\x0d", "unknown_format"),  # a raw H.264 stream
        (b"OggS\x00\x02" + bytes(20), "unknown_format"),
        (b"The free and wide world of " * 20, "text"),  # bytes 4-8 spell a QuickTime atom
        (b"G" * 400, "text"),  # 0x47 at 0, 188 and 376, as MPEG-TS
        (bytes(range(256)), "unknown_format"),
    ],
)
def test_sniff_rejects_with_a_reason(head: bytes, code: str) -> None:
    assert rejected(head) == code


def test_sniff_rejects_the_fakes(samples) -> None:
    codes = {kind: rejected(samples[kind].read_bytes()[:4096]) for kind in FAKE_KINDS}
    assert codes == {
        "text_named_mp4": "text",
        "playlist_named_mp4": "text",
        "zip_named_mp4": "archive",
        "empty": "empty",
    }


def test_not_a_video_carries_code_and_detail() -> None:
    error = NotAVideo("unreadable", "moov atom not found")
    assert (error.code, error.detail, str(error)) == (
        "unreadable",
        "moov atom not found",
        "unreadable: moov atom not found",
    )
    assert NotAVideo("empty").detail == ""


@given(st.binary(max_size=600))
def test_sniff_names_a_container_or_a_reason(head: bytes) -> None:
    try:
        outcome = sniff_container(head)
    except NotAVideo as error:
        outcome = error.code
    assert outcome in set(CONTAINERS) | CODES


VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữự"


@given(st.text(alphabet=VIETNAMESE_LETTERS + " ,.:\n0123456789", min_size=1), st.data())
def test_vietnamese_text_cut_anywhere_is_text(text: str, data) -> None:
    """A 4 KiB head can end in the middle of a letter; it is still text."""
    encoded = text.encode()
    cut = data.draw(st.integers(min_value=1, max_value=len(encoded)))
    assert rejected(encoded[:cut]) == "text"


# Reading ffmpeg's report


MP4_REPORT = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/srv/uploads/bai-du-thi.mp4':
  Metadata:
    major_brand     : isom
    minor_version   : 512
    compatible_brands: isomiso2avc1mp41
    encoder         : Lavf63.1.102
  Duration: 00:00:02.00, start: 0.000000, bitrate: 172 kb/s
  Stream #0:0[0x1](und): Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p(progressive), 160x120 [SAR 1:1 DAR 4:3], 95 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      handler_name    : VideoHandler
      encoder         : Lavc63.1.102 libx264
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 64 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
At least one output file must be specified
"""  # noqa: E501

# Stream durations (DURATION tags) are not the file's Duration.
WEBM_REPORT = """\
Input #0, matroska,webm, from 'file:/srv/uploads/bai-du-thi.webm':
  Metadata:
    ENCODER         : Lavf63.1.102
  Duration: 00:00:02.01, start: 0.000000, bitrate: 125 kb/s
  Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 160x120, SAR 1:1 DAR 4:3, 25 fps, 25 tbr, 1k tbn
    Metadata:
      ENCODER         : Lavc63.1.102 libvpx-vp9
      DURATION        : 00:00:02.000000000
  Stream #0:1: Audio: opus, 48000 Hz, mono, fltp
    Metadata:
      ENCODER         : Lavc63.1.102 libopus
      DURATION        : 00:00:02.008000000
At least one output file must be specified
"""  # noqa: E501

# Commas inside the pixel format's parentheses.
WEBM_RGB_REPORT = """\
Input #0, matroska,webm, from 'file:rgb.webm':
  Metadata:
    ENCODER         : Lavf63.1.102
  Duration: 00:00:02.01, start: 0.000000, bitrate: 236 kb/s
  Stream #0:0: Video: vp9 (Profile 1), gbrp(pc, gbr/unknown/unknown, progressive), 160x120, SAR 1:1 DAR 4:3, 25 fps, 25 tbr, 1k tbn
  Stream #0:1: Audio: opus, 48000 Hz, mono, fltp
"""  # noqa: E501

AVI_REPORT = """\
Input #0, avi, from 'file:/srv/uploads/bai-du-thi.avi':
  Metadata:
    software        : Lavf63.1.102
  Duration: 00:00:02.04, start: 0.000000, bitrate: 327 kb/s
  Stream #0:0: Video: mpeg4 (Simple Profile) (FMP4 / 0x34504D46), yuv420p, 160x120 [SAR 1:1 DAR 4:3], 25 fps, 25 tbr, 25 tbn
  Stream #0:1: Audio: mp3 (mp3float) (U[0][0][0] / 0x0055), 44100 Hz, mono, fltp, 64 kb/s
At least one output file must be specified
"""  # noqa: E501

# Language tags, a Vietnamese title, a location; and the probe's own output section, whose
# rawvideo stream must not be read as the input's.
MOV_PROBE_REPORT = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/srv/uploads/bài dự thi.mov':
  Metadata:
    major_brand     : qt
    minor_version   : 512
    compatible_brands: qt
    title           : Bài dự thi
    encoder         : Lavf63.1.102
    location        : +21.0285+105.8542/
  Duration: 00:00:02.00, start: 0.000000, bitrate: 172 kb/s
  Stream #0:0[0x1]: Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p(progressive), 160x120 [SAR 1:1 DAR 4:3], 95 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      handler_name    : VideoHandler
      vendor_id       : FFMP
      encoder         : Lavc63.1.102 libx264
  Stream #0:1[0x2](vie): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 64 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
      vendor_id       : [0][0][0][0]
Stream mapping:
  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))
Output #0, framecrc, to 'pipe:':
  Metadata:
    major_brand     : qt
    encoder         : Lavf63.1.102
  Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv444p(progressive), 320x240 [SAR 1:1 DAR 4:3], q=2-31, 5760 kb/s, 25 fps, 25 tbn (default)
    Metadata:
      encoder         : Lavc63.1.102 rawvideo
[out#0/framecrc @ 0x55bab1f2ffc0] video:28KiB audio:0KiB subtitle:0KiB other streams:0KiB global headers:0KiB muxing overhead: unknown
frame=    1 fps=0.0 q=-0.0 Lsize=       0KiB time=00:00:00.04 bitrate=  34.4kbits/s speed=10.8x elapsed=0:00:00.00
"""  # noqa: E501

# Recorded in a browser (MediaRecorder): no duration anywhere.
LIVE_WEBM_REPORT = """\
Input #0, matroska,webm, from 'file:recording.webm':
  Metadata:
    ENCODER         : Lavf63.1.102
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 160x120, SAR 1:1 DAR 4:3, 25 fps, 25 tbr, 1k tbn
    Metadata:
      ENCODER         : Lavc63.1.102 libvpx-vp9
  Stream #0:1: Audio: opus, 48000 Hz, mono, fltp
    Metadata:
      ENCODER         : Lavc63.1.102 libopus
At least one output file must be specified
"""  # noqa: E501

HEVC_MKV_REPORT = """\
Input #0, matroska,webm, from 'file:hevc.mkv':
  Metadata:
    ENCODER         : Lavf63.1.102
  Duration: 00:00:02.00, start: 0.000000, bitrate: 64 kb/s
  Stream #0:0: Video: hevc (Main 10), yuv420p10le(tv, progressive), 160x120 [SAR 1:1 DAR 4:3], 25 fps, 25 tbr, 1k tbn
    Metadata:
      title           : Bài thi
      ENCODER         : Lavc63.1.102 libx265
      DURATION        : 00:00:02.000000000
  Stream #0:1(vie): Audio: vorbis, 44100 Hz, mono, fltp
    Metadata:
      ENCODER         : Lavc63.1.102 libvorbis
      DURATION        : 00:00:02.003000000
At least one output file must be specified
"""  # noqa: E501

ROTATED_REPORT = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:portrait.mp4':
  Metadata:
    major_brand     : isom
    minor_version   : 512
    compatible_brands: isomiso2avc1mp41
    encoder         : Lavf63.1.102
  Duration: 00:00:02.00, start: 0.000000, bitrate: 172 kb/s
  Stream #0:0[0x1](und): Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p(progressive), 160x120 [SAR 1:1 DAR 4:3], 95 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      handler_name    : VideoHandler
      encoder         : Lavc63.1.102 libx264
    Side data:
      Display Matrix: rotation of 90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 64 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
At least one output file must be specified
"""  # noqa: E501

MPEGTS_REPORT = """\
Input #0, mpegts, from 'file:camera.ts':
  Duration: 00:00:02.02, start: 1.400000, bitrate: 228 kb/s
  Program 1
    Metadata:
      service_name    : Service01
      service_provider: FFmpeg
  Stream #0:0[0x100]: Video: h264 (Constrained Baseline) ([27][0][0][0] / 0x001B), yuv420p(progressive), 160x120 [SAR 1:1 DAR 4:3], 25 fps, 25 tbr, 90k tbn, start 1.423222
  Stream #0:1[0x101]: Audio: aac (LC) ([15][0][0][0] / 0x000F), 44100 Hz, mono, fltp, 71 kb/s, start 1.400000
At least one output file must be specified
"""  # noqa: E501

# A song with its cover: the picture is a "Video" stream, marked (attached pic).
COVER_ART_REPORT = """\
[in#0 @ 0x563382cd6080] stream 0, timescale not set
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:song.m4a':
  Metadata:
    major_brand     : M4A
    minor_version   : 512
    compatible_brands: M4A isomiso2
    encoder         : Lavf63.1.102
  Duration: 00:00:02.00, start: 0.000000, bitrate: 121 kb/s
  Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
  Stream #0:1[0x0]: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 480x360 [SAR 1:1 DAR 4:3], 90k tbr, 90k tbn (attached pic)
At least one output file must be specified
"""  # noqa: E501

# Frames zeroed: the header opens, the pixel format is unknown ("none").
GARBLED_REPORT = """\
[aac @ 0x5587fac4ac80] channel element 0.0 is not allocated
[in#0/mov,mp4,m4a,3gp,3g2,mj2 @ 0x5587fac3b1c0] Could not find codec parameters for stream 0 (Video: h264 (avc1 / 0x31637661), none, 160x120, 95 kb/s): unspecified pixel format
Consider increasing the value for the 'analyzeduration' (0) and 'probesize' (5000000) options
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:garbled.mp4':
  Duration: 00:00:02.00, start: 0.000000, bitrate: 172 kb/s
  Stream #0:0[0x1](und): Video: h264 (avc1 / 0x31637661), none, 160x120, 95 kb/s, SAR 1:1 DAR 4:3, 25 fps, 25 tbr, 12800 tbn (default)
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 64 kb/s (default)
Stream mapping:
  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))
[vist#0:0/h264 @ 0x5587fad01b00] [dec:h264 @ 0x5587fac6a900] Decoding error: Invalid data found when processing input
"""  # noqa: E501

MOOV_MISSING_REPORT = """\
[in#0 @ 0x55ed2a5570c0] moov atom not found
[in#0 @ 0x55ed2a556d40] Error opening input: Invalid data found when processing input
Error opening input file file:truncated.mp4.
Error opening input files: Invalid data found when processing input
"""


@pytest.mark.parametrize(
    ("container", "report", "expected"),
    [
        ("mp4", MP4_REPORT, (2.0, 160, 120, "h264", "yuv420p", "aac")),
        ("webm", WEBM_REPORT, (2.01, 160, 120, "vp9", "yuv420p", "opus")),
        ("webm", WEBM_RGB_REPORT, (2.01, 160, 120, "vp9", "gbrp", "opus")),
        ("avi", AVI_REPORT, (2.04, 160, 120, "mpeg4", "yuv420p", "mp3")),
        ("mov", MOV_PROBE_REPORT, (2.0, 160, 120, "h264", "yuv420p", "aac", True)),
        ("webm", LIVE_WEBM_REPORT, (None, 160, 120, "vp9", "yuv420p", "opus")),
        ("matroska", HEVC_MKV_REPORT, (2.0, 160, 120, "hevc", "yuv420p10le", "vorbis")),
        ("mp4", ROTATED_REPORT, (2.0, 120, 160, "h264", "yuv420p", "aac")),
        ("mpegts", MPEGTS_REPORT, (2.02, 160, 120, "h264", "yuv420p", "aac")),
        ("mp4", COVER_ART_REPORT, (2.0, None, None, None, None, "aac")),
        ("mp4", GARBLED_REPORT, (2.0, 160, 120, "h264", None, "aac")),
        ("mp4", MOOV_MISSING_REPORT, (None, None, None, None, None, None)),
        ("mp4", "", (None, None, None, None, None, None)),
    ],
)
def test_parse_ffmpeg_report(container: str, report: str, expected: tuple) -> None:
    info = parse_ffmpeg_report(container, report)
    assert info == MediaInfo(container, *expected)


def test_parse_long_durations() -> None:
    report = MP4_REPORT.replace("Duration: 00:00:02.00", "Duration: 01:02:03.45")
    assert parse_ffmpeg_report("mp4", report).duration_seconds == pytest.approx(3723.45)


@pytest.mark.parametrize(
    ("side_data", "size"),
    [
        ("Display Matrix: rotation of -90.00 degrees", (120, 160)),
        ("displaymatrix: rotation of -90.00 degrees", (120, 160)),  # ffmpeg 5 and 6
        ("displaymatrix: rotation of 270.00 degrees", (120, 160)),
        ("Display Matrix: rotation of -180.00 degrees", (160, 120)),  # upside down
        ("Display Matrix: rotation of 0.00 degrees", (160, 120)),
    ],
)
def test_parse_rotation_gives_the_displayed_size(side_data: str, size: tuple[int, int]) -> None:
    report = ROTATED_REPORT.replace("Display Matrix: rotation of 90.00 degrees", side_data)
    info = parse_ffmpeg_report("mp4", report)
    assert (info.width, info.height) == size


def test_parse_rotation_of_an_audio_stream_is_ignored() -> None:
    report = MP4_REPORT.replace(
        "      handler_name    : SoundHandler",
        "      handler_name    : SoundHandler\n    Side data:\n"
        "      Display Matrix: rotation of 90.00 degrees",
    )
    assert parse_ffmpeg_report("mp4", report).width == 160


@given(st.text())
def test_parse_never_fails(stderr: str) -> None:
    assert parse_ffmpeg_report("mp4", "Input #0, mov, from 'x':\n" + stderr).container == "mp4"


# Probing real files


@pytest.mark.parametrize(
    ("kind", "container", "video", "pixels", "audio"),
    [
        ("mp4", "mp4", "h264", "yuv420p", "aac"),
        ("webm", "webm", "vp9", "yuv420p", "opus"),
        ("avi_mpeg4", "avi", "mpeg4", "yuv420p", "mp3"),
        ("mov_h264", "mov", "h264", "yuv420p", "aac"),
        ("hevc_10bit_mkv", "matroska", "hevc", "yuv420p10le", "vorbis"),
        ("3gp_h264", "3gp", "h264", "yuv420p", "aac"),
        ("mpegts_h264", "mpegts", "h264", "yuv420p", "aac"),
        ("flv_h264", "flv", "h264", "yuv420p", "aac"),
        ("asf_wmv", "asf", "wmv2", "yuv420p", "wmav2"),
        ("mpegps_mpeg2", "mpegps", "mpeg2video", "yuv420p", "mp2"),
    ],
)
def test_probe_real_samples(samples, kind, container, video, pixels, audio) -> None:
    info = probe(samples[kind])
    assert (info.container, info.video_codec, info.pixel_format, info.audio_codec) == (
        container,
        video,
        pixels,
        audio,
    )
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    assert info.duration_seconds == pytest.approx(DURATION, abs=0.2)


def test_probe_rotated_reports_the_displayed_size(samples) -> None:
    info = probe(samples["rotated_mp4"])
    assert (info.width, info.height) == (HEIGHT, WIDTH)


def test_probe_uses_the_given_head(samples) -> None:
    path = samples["mp4"]
    assert probe(path, head=path.read_bytes()[:4096]) == probe(path)
    with pytest.raises(NotAVideo) as caught:
        probe(path, head=b"%PDF-1.7\n")
    assert caught.value.code == "document"


def test_probe_odd_file_names(samples, tmp_path) -> None:
    """A leading dash, spaces, Vietnamese, '?' and ':' are a file name, not options or URLs."""
    odd = tmp_path / "-i bài dự thi? file:x.mp4"
    shutil.copyfile(samples["mp4"], odd)
    assert probe(odd).video_codec == "h264"


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("audio_only", "audio_only"),
        ("truncated_mp4", "unreadable"),  # index at the end, lost
        ("truncated_faststart_mp4", "unreadable"),  # index first: the first frame decodes
        ("mp4_without_moov", "unreadable"),  # "moov atom not found"
        ("garbled_mp4", "unreadable"),  # opens, but no frame decodes
        ("text_named_mp4", "text"),
        ("playlist_named_mp4", "text"),
        ("zip_named_mp4", "archive"),
        ("empty", "empty"),
    ],
)
def test_probe_rejects(samples, kind: str, code: str) -> None:
    with pytest.raises(NotAVideo) as caught:
        probe(samples[kind])
    assert caught.value.code == code
    assert code in CODES_OF_PROBE


def test_probe_says_why_a_file_is_unreadable(samples) -> None:
    with pytest.raises(NotAVideo) as truncated:
        probe(samples["truncated_faststart_mp4"])
    with pytest.raises(NotAVideo) as without_index:
        probe(samples["mp4_without_moov"])
    with pytest.raises(NotAVideo) as garbled:
        probe(samples["garbled_mp4"])
    assert truncated.value.detail.startswith("truncated")
    assert "moov atom not found" in without_index.value.detail
    assert garbled.value.detail.startswith("no video frame decodes")


def test_an_audio_file_with_cover_art_is_audio_only(tmp_path) -> None:
    cover = tmp_path / "cover.jpg"
    song = tmp_path / "song.m4a"
    ffmpeg(
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120",
        "-frames:v",
        "1",
        str(cover),
    )
    ffmpeg(
        "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=1", "-i", str(cover),
        "-map", "0", "-map", "1", "-c:a", "aac", "-c:v", "copy",
        "-disposition:v", "attached_pic", str(song),
    )  # fmt: skip
    with pytest.raises(NotAVideo) as caught:
        probe(song)
    assert caught.value.code == "audio_only"


def test_ffmpeg_version() -> None:
    version = ffmpeg_version()
    assert version
    assert " " not in version


# Browser playability


@pytest.mark.parametrize(
    ("container", "video", "pixels", "audio", "playable"),
    [
        ("mp4", "h264", "yuv420p", "aac", True),
        ("mp4", "h264", "yuv420p", None, True),
        ("mp4", "h264", "yuvj420p", "aac", True),  # full range, as some phones write it
        ("mp4", "h264", "yuv420p", "mp3", False),
        ("mp4", "h264", "yuv420p", "opus", False),
        ("mp4", "h264", "yuv420p10le", "aac", False),
        ("mp4", "h264", "yuv444p", "aac", False),
        ("mp4", "h264", "yuv422p", "aac", False),
        ("mp4", "h264", None, "aac", False),
        ("mp4", "hevc", "yuv420p", "aac", False),
        ("mp4", "av1", "yuv420p", "aac", False),
        ("mp4", "mpeg4", "yuv420p", "aac", False),
        ("mp4", "vp9", "yuv420p", "opus", False),
        ("mp4", None, None, "aac", False),
        ("mov", "h264", "yuv420p", "aac", False),
        ("3gp", "h264", "yuv420p", "aac", False),
        ("matroska", "h264", "yuv420p", "aac", False),
        ("matroska", "vp9", "yuv420p", "opus", False),
        ("avi", "h264", "yuv420p", "aac", False),
        ("webm", "vp9", "yuv420p", "opus", True),
        ("webm", "vp8", "yuv420p", "vorbis", True),
        ("webm", "vp9", "yuv420p", "vorbis", True),
        ("webm", "vp8", "yuv420p", "opus", True),
        ("webm", "vp9", "yuv420p", None, True),
        ("webm", "vp9", "yuv420p", "aac", False),
        ("webm", "vp9", "yuv420p10le", "opus", False),
        ("webm", "vp9", "gbrp", "opus", False),
        ("webm", "av1", "yuv420p", "opus", False),
        ("webm", "h264", "yuv420p", "opus", False),  # Chrome's MediaRecorder can write this
    ],
)
def test_browser_playable(container, video, pixels, audio, playable: bool) -> None:
    assert browser_playable(info_of(container, video, pixels, audio)) is playable


def test_browser_playable_real_samples(samples) -> None:
    playable = {
        kind: browser_playable(probe(samples[kind]))
        for kind in ("mp4", "webm", "avi_mpeg4", "mov_h264", "hevc_10bit_mkv")
    }
    assert playable == {
        "mp4": True,
        "webm": True,
        "avi_mpeg4": False,
        "mov_h264": False,
        "hevc_10bit_mkv": False,
    }


# Thumbnails


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the JPEG's start-of-frame marker."""
    position = 2
    while position + 9 <= len(data):
        marker = data[position + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[position + 5 : position + 7], "big")
            width = int.from_bytes(data[position + 7 : position + 9], "big")
            return width, height
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    raise AssertionError("no start-of-frame marker")


def test_thumbnail_is_a_480_px_jpeg(samples, tmp_path) -> None:
    destination = tmp_path / "thumb.jpg"
    make_thumbnail(samples["mp4"], destination, probe(samples["mp4"]))
    data = destination.read_bytes()
    assert data[:2] == b"\xff\xd8"
    assert jpeg_size(data) == (480, 360)
    assert list(tmp_path.iterdir()) == [destination]


@pytest.mark.parametrize(
    ("kind", "width", "size"),
    [
        ("webm", 480, (480, 360)),
        ("avi_mpeg4", 320, (320, 240)),
        ("hevc_10bit_mkv", 480, (480, 360)),
        ("rotated_mp4", 480, (480, 640)),  # upright, as the phone showed it
        ("portrait_1440p_mp4", 480, (480, 854)),  # 480 × 16/9 = 853.3, made even
    ],
)
def test_thumbnail_sizes(samples, tmp_path, kind: str, width: int, size) -> None:
    destination = tmp_path / "thumb.jpg"
    make_thumbnail(samples[kind], destination, probe(samples[kind]), width=width)
    assert jpeg_size(destination.read_bytes()) == size


def test_thumbnail_falls_back_to_the_first_frame(samples, tmp_path) -> None:
    """A duration that lies (here 100 s) seeks past the end: the first frame is taken."""
    info = replace(probe(samples["mp4"]), duration_seconds=100.0)
    destination = tmp_path / "thumb.jpg"
    make_thumbnail(samples["mp4"], destination, info)
    assert jpeg_size(destination.read_bytes()) == (480, 360)
    assert list(tmp_path.iterdir()) == [destination]


def test_thumbnail_without_duration(samples, tmp_path) -> None:
    destination = tmp_path / "thumb.jpg"
    make_thumbnail(
        samples["webm"], destination, replace(probe(samples["webm"]), duration_seconds=None)
    )
    assert destination.read_bytes()[:2] == b"\xff\xd8"


def test_thumbnail_failure_leaves_nothing(samples, tmp_path) -> None:
    with pytest.raises(MediaError):
        make_thumbnail(
            samples["garbled_mp4"], tmp_path / "thumb.jpg", info_of("mp4", "h264", "yuv420p", "aac")
        )
    assert list(tmp_path.iterdir()) == []


# Transcoding


def packet_hashes(path: Path, stream: str) -> list[str]:
    """Size and MD5 of each packet of `stream` ("v" or "a"), copied without decoding."""
    report = ffmpeg("-i", str(path), "-map", f"0:{stream}:0", "-c", "copy", "-f", "framemd5", "-")
    rows = [line.split(",") for line in report.stdout.splitlines() if not line.startswith("#")]
    return [f"{row[-2].strip()} {row[-1].strip()}" for row in rows]


def picture_hashes(path: Path) -> list[str]:
    """MD5 of each decoded picture: equal only if the video was not encoded again."""
    report = ffmpeg("-i", str(path), "-map", "0:v:0", "-f", "framemd5", "-")
    return [
        line.rsplit(",", 1)[-1].strip() for line in report.stdout.splitlines() if line[:1] != "#"
    ]


def test_transcode_avi_mpeg4(samples, tmp_path) -> None:
    destination = tmp_path / "video.mp4"
    transcode_to_mp4(samples["avi_mpeg4"], destination, probe(samples["avi_mpeg4"]))
    info = probe(destination)
    assert (info.container, info.video_codec, info.pixel_format, info.audio_codec) == (
        "mp4",
        "h264",
        "yuv420p",
        "aac",
    )
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    assert info.duration_seconds == pytest.approx(DURATION, abs=0.2)
    assert browser_playable(info)
    assert list(tmp_path.iterdir()) == [destination]


def test_transcode_output_starts_with_its_index(samples, tmp_path) -> None:
    """+faststart: the browser can start playing before the whole file has arrived."""
    destination = tmp_path / "video.mp4"
    transcode_to_mp4(samples["avi_mpeg4"], destination, probe(samples["avi_mpeg4"]))
    order = [box for box, _, _ in boxes(destination.read_bytes())]
    assert order.index(b"moov") < order.index(b"mdat")


def test_transcode_mov_only_remuxes(samples, tmp_path) -> None:
    source = samples["mov_h264"]
    destination = tmp_path / "video.mp4"
    transcode_to_mp4(source, destination, probe(source))
    info = probe(destination)
    assert (info.container, info.video_codec, info.audio_codec) == ("mp4", "h264", "aac")
    assert browser_playable(info)
    # The very same packets: copied, not encoded again.
    assert packet_hashes(destination, "v") == packet_hashes(source, "v")
    assert packet_hashes(destination, "a") == packet_hashes(source, "a")


@pytest.mark.parametrize("kind", ["3gp_h264", "mpegts_h264", "flv_h264"])
def test_transcode_remuxes_h264_aac_from_other_containers(samples, tmp_path, kind) -> None:
    destination = tmp_path / "video.mp4"
    transcode_to_mp4(samples[kind], destination, probe(samples[kind]))
    assert browser_playable(probe(destination))
    # Not the packets: MPEG-TS carries H.264 in Annex B, MP4 with length prefixes.
    assert picture_hashes(destination) == picture_hashes(samples[kind])


def test_transcode_drops_the_shooting_place(samples, tmp_path) -> None:
    source = samples["mov_h264"]
    destination = tmp_path / "video.mp4"
    transcode_to_mp4(source, destination, probe(source))
    assert HANOI in ffmpeg("-i", str(source), "-f", "null", "-").stderr
    assert HANOI not in ffmpeg("-i", str(destination), "-f", "null", "-").stderr


@pytest.mark.parametrize("kind", ["webm", "hevc_10bit_mkv", "asf_wmv", "mpegps_mpeg2"])
def test_transcode_encodes_what_browsers_cannot_play(samples, tmp_path, kind: str) -> None:
    destination = tmp_path / "video.mp4"
    transcode_to_mp4(samples[kind], destination, probe(samples[kind]))
    info = probe(destination)
    assert (info.video_codec, info.pixel_format, info.audio_codec) == ("h264", "yuv420p", "aac")
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    assert browser_playable(info)


def test_transcode_keeps_the_rotation_of_a_copied_stream(samples, tmp_path) -> None:
    destination = tmp_path / "video.mp4"
    transcode_to_mp4(samples["rotated_mp4"], destination, probe(samples["rotated_mp4"]))
    assert packet_hashes(destination, "v") == packet_hashes(samples["rotated_mp4"], "v")
    info = probe(destination)
    assert (info.width, info.height) == (HEIGHT, WIDTH)


def test_transcode_caps_portrait_video_at_1080p(samples, tmp_path) -> None:
    """H.264 already, but 1440x2560: encoded again at 1080x1920, the aspect kept."""
    destination = tmp_path / "video.mp4"
    transcode_to_mp4(
        samples["portrait_1440p_mp4"], destination, probe(samples["portrait_1440p_mp4"])
    )
    info = probe(destination)
    assert (info.width, info.height, info.audio_codec) == (1080, 1920, None)


def test_failed_transcode_raises_and_leaves_nothing(samples, tmp_path) -> None:
    destination = tmp_path / "video.mp4"
    with pytest.raises(MediaError) as caught:
        transcode_to_mp4(
            samples["truncated_mp4"], destination, info_of("mp4", "h264", "yuv420p", "aac")
        )
    assert "moov atom not found" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_transcode_timeout_raises_and_leaves_nothing(samples, tmp_path) -> None:
    destination = tmp_path / "video.mp4"
    with pytest.raises(MediaError, match="took over 0 s"):
        transcode_to_mp4(
            samples["avi_mpeg4"], destination, probe(samples["avi_mpeg4"]), timeout_seconds=0
        )
    assert list(tmp_path.iterdir()) == []


def test_transcode_replaces_an_older_destination(samples, tmp_path) -> None:
    destination = tmp_path / "video.mp4"
    destination.write_bytes(b"old")
    transcode_to_mp4(samples["mp4"], destination, probe(samples["mp4"]))
    assert probe(destination).video_codec == "h264"
