"""What the platform needs to know about an uploaded video, and the files it makes from it.

The container is named from the first bytes, before ffmpeg sees the file, so that archives,
documents, images and text (an HLS playlist renamed .mp4 is the classic attack on ffmpeg) are
turned away with a precise reason; ffmpeg is then told which demuxer to use and may open only
local files. ffmpeg is the static build that imageio-ffmpeg ships: it has no ffprobe, so the
facts come from the report `ffmpeg -i` writes on stderr.
"""

import functools
import re
import secrets
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import imageio_ffmpeg

HEAD_BYTES = 4096  # enough for every signature below
PROBE_TIMEOUT_SECONDS = 120  # one frame is decoded: seconds, unless the file is pathological
THUMBNAIL_TIMEOUT_SECONDS = 60
MAX_SHORT_SIDE = 1080  # 1080p, landscape or portrait
THUMBNAIL_SECONDS_MAX = 5.0
THUMBNAIL_MIN_DURATION = 1.0  # shorter clips take their first frame
STDERR_TAIL_LINES = 12

# Container name to the ffmpeg demuxer forced on it, so ffmpeg never guesses another format.
CONTAINERS: Mapping[str, str] = MappingProxyType(
    {
        "mp4": "mov",
        "mov": "mov",
        "3gp": "mov",
        "webm": "matroska",
        "matroska": "matroska",
        "avi": "avi",
        "mpegts": "mpegts",
        "mpegps": "mpeg",
        "flv": "flv",
        "asf": "asf",
    }
)

# Containers whose timestamps survive a stream copy into MP4 (AVI, ASF and MPEG-PS often lack
# them, and their H.264 is re-encoded rather than risking a stuttering remux).
_COPY_SAFE_CONTAINERS = frozenset({"mp4", "mov", "3gp", "matroska", "webm", "mpegts", "flv"})
_EIGHT_BIT_420 = frozenset({"yuv420p", "yuvj420p"})  # yuvj420p: full range, phones write it
_BROWSER_CODECS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = MappingProxyType(
    {
        "mp4": (frozenset({"h264"}), frozenset({"aac"})),
        "webm": (frozenset({"vp9", "vp8"}), frozenset({"opus", "vorbis"})),
    }
)


class NotAVideo(Exception):
    """The file is not a video the platform accepts; `code` is a stable machine code."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class MediaError(Exception):
    """ffmpeg failed while making a thumbnail or transcoding; the message is for logs."""


@dataclass(frozen=True)
class MediaInfo:
    container: str  # a key of CONTAINERS
    duration_seconds: float | None
    width: int | None  # as displayed: swapped with height when the video is rotated 90°
    height: int | None
    video_codec: str | None  # ffmpeg's names: h264, hevc, vp9, vp8, av1, mpeg4, ...
    pixel_format: str | None  # yuv420p, yuv444p, yuv420p10le, ...
    audio_codec: str | None  # aac, opus, vorbis, mp3, ...; None when there is no audio
    # Phones record where a video was shot; a public gallery must not publish it.
    has_location: bool = False


# Sniffing


_ISO_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash"}
    | {b"M4V ", b"M4VH", b"M4VP", b"mmp4", b"MSNV", b"M4A ", b"M4B "}
)
# HEIF/AVIF photos (every iPhone picture) are ISO BMFF too.
_ISO_IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
)
_BARE_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_ASF_GUID = b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"

_ARCHIVES = (
    b"PK\x03\x04",  # zip, also docx/xlsx/odt
    b"PK\x05\x06",  # empty zip
    b"PK\x07\x08",  # spanned zip
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstd
)
_DOCUMENTS = (b"%PDF-", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf", b"%!PS")  # OLE2: .doc
_IMAGES = (
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",  # TIFF
    b"MM\x00*",
)
_AUDIO = (b"ID3\x02", b"ID3\x03", b"ID3\x04", b"fLaC", b"#!AMR")  # ID3: tagged MP3
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff_container(head: bytes) -> str:
    """Name the container from the first bytes (4 KiB is enough), or raise NotAVideo."""
    if not head:
        raise NotAVideo("empty")
    container = _video_container(head)
    if container is not None:
        return container
    if head.startswith(_ARCHIVES) or (head[:3] == b"BZh" and head[4:10] == b"1AY&SY"):
        raise NotAVideo("archive")
    if head.startswith(_DOCUMENTS):
        raise NotAVideo("document")
    if head.startswith(_IMAGES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        raise NotAVideo("image")
    if head[:2] == b"BM" and head[6:10] == bytes(4):  # BMP: "BM", size, 4 reserved zero bytes
        raise NotAVideo("image")
    if head.startswith(_TEXT_BOMS):  # before MPEG audio: FF FE looks like its frame sync
        raise NotAVideo("text")
    # Pure audio formats: no container of theirs can hold a picture stream worth accepting.
    if head.startswith(_AUDIO) or (head[:4] == b"RIFF" and head[8:12] == b"WAVE"):
        raise NotAVideo("audio_only")
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # MPEG audio frame sync
        raise NotAVideo("audio_only")
    if _looks_like_text(head):
        raise NotAVideo("text")
    raise NotAVideo("unknown_format", head[:16].hex(" "))


def _video_container(head: bytes) -> str | None:
    """The video container the signature names, None if none; NotAVideo for HEIF photos."""
    if head[4:8] == b"ftyp":
        return _iso_bmff_container(head)
    # The two weak signatures (four letters; one byte thrice) could begin a text file.
    if (
        head[4:8] in _BARE_QUICKTIME_ATOMS
        and int.from_bytes(head[:4], "big") not in range(2, 8)  # sizes 0 and 1 mean something
        and not _looks_like_text(head)
    ):
        return "mov"  # an old QuickTime file, without ftyp
    if head.startswith(_EBML_MAGIC):
        return "webm" if _ebml_doc_type(head) == b"webm" else "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if (_has_ts_sync(head, 188, 0) or _has_ts_sync(head, 192, 4)) and not _looks_like_text(head):
        return "mpegts"  # M2TS (camcorders) puts a 4-byte timecode before each packet
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpegps"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(_ASF_GUID):
        return "asf"
    return None


def _iso_bmff_container(head: bytes) -> str:
    """mp4, mov or 3gp from the brands of an ISO BMFF `ftyp` box."""
    box_end = min(len(head), max(16, int.from_bytes(head[:4], "big")))
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, box_end - 3, 4)]
    for brand in brands:  # the major brand first, then the compatible ones
        if brand in _ISO_IMAGE_BRANDS:
            raise NotAVideo("image", f"ISO BMFF brand {brand!r}")
        if brand == b"qt  ":
            return "mov"
        if brand.startswith((b"3gp", b"3g2")):
            return "3gp"
        if brand in _ISO_MP4_BRANDS:
            return "mp4"
    return "mp4"  # a vendor's own brand (XAVC, CAEP...): still ISO BMFF, ffmpeg decides


def _has_ts_sync(head: bytes, packet_size: int, offset: int) -> bool:
    """Whether three packets in a row start with the MPEG-TS sync byte 0x47."""
    positions = [offset + index * packet_size for index in range(3)]
    return len(head) > positions[-1] and all(head[position] == 0x47 for position in positions)


def _read_vint(data: bytes, position: int) -> tuple[int, int, bool] | None:
    """An EBML variable-length integer: (value, length in bytes, all ones = unknown size)."""
    if position >= len(data) or data[position] == 0:
        return None
    length = 9 - data[position].bit_length()
    if position + length > len(data):
        return None
    value = data[position] & (0xFF >> length)
    for byte in data[position + 1 : position + length]:
        value = (value << 8) | byte
    return value, length, value == (1 << (7 * length)) - 1


def _ebml_doc_type(head: bytes) -> bytes | None:
    """The DocType (b"webm", b"matroska") inside the EBML header, None if unreadable."""
    header = _read_vint(head, 4)
    if header is None:
        return None
    size, length, _ = header
    position, end = 4 + length, min(len(head), 4 + length + size)
    while position < end:
        id_length = 9 - head[position].bit_length()  # IDs are coded like sizes
        element_id = head[position : position + id_length]
        element = _read_vint(head, position + id_length)
        if head[position] == 0 or element is None:
            return None
        element_size, size_length, _ = element
        data_start = position + id_length + size_length
        if element_id == b"\x42\x82":
            return head[data_start : data_start + element_size].rstrip(b"\x00")
        position = data_start + element_size
    return None


def _looks_like_text(head: bytes) -> bool:
    """Whether the bytes read as text: UTF-8 or a legacy 8-bit encoding (TCVN3, Windows-1258)."""
    if head.startswith(_TEXT_BOMS):
        return True
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut at the end of the head is still text; anything else is not UTF-8.
        if error.start < len(head) - 3:
            text = head.decode("latin-1")
        else:
            text = head[: error.start].decode("utf-8")
    control = sum(not (character.isprintable() or character in "\t\n\r\f") for character in text)
    # latin-1 maps 0x80-0x9F to control characters: legacy encodings use those bytes as letters.
    control -= sum("\x80" <= character <= "\x9f" for character in text)
    return control <= len(text) // 100


# The completeness of the file


_MAX_TOP_LEVEL_BOXES = 10_000


def _missing_bytes(path: Path, container: str, head: bytes) -> int:
    """How many bytes the container's own sizes say are missing at the end (0: none known).

    ffmpeg happily decodes the first frame of an MP4 cut short when its index comes first, so
    an interrupted upload is caught here, from the sizes of the outermost boxes or elements.
    """
    size = path.stat().st_size
    if CONTAINERS[container] == "mov":
        return _missing_bytes_iso_bmff(path, size)
    if container in ("webm", "matroska"):
        return _missing_bytes_matroska(head, size)
    if container == "avi":
        riff_size = int.from_bytes(head[4:8], "little")
        return max(0, 8 + riff_size - size) if riff_size else 0
    return 0


def _missing_bytes_iso_bmff(path: Path, size: int) -> int:
    with path.open("rb") as file:
        position = 0
        for _ in range(_MAX_TOP_LEVEL_BOXES):
            if size - position < 8:
                return 0
            file.seek(position)
            header = file.read(16)
            box_size = int.from_bytes(header[:4], "big")
            if not header[4:8].isalnum():
                return 0  # not a box (a trailer some cameras append): ffmpeg decides
            if box_size == 1 and len(header) == 16:
                box_size = int.from_bytes(header[8:16], "big")
            if box_size == 0:
                return 0  # the last box runs to the end of the file
            if box_size < 8:
                return 0
            position += box_size
            if position > size:
                return position - size
    return 0


def _missing_bytes_matroska(head: bytes, size: int) -> int:
    header = _read_vint(head, 4)
    if header is None:
        return 0
    segment_at = 4 + header[1] + header[0]
    if head[segment_at : segment_at + 4] != b"\x18\x53\x80\x67":
        return 0
    segment = _read_vint(head, segment_at + 4)
    if segment is None or segment[2]:
        return 0  # unknown size: a live recording (MediaRecorder) never states it
    segment_end = segment_at + 4 + segment[1] + segment[0]
    return max(0, segment_end - size)


# Reading ffmpeg's report


_DURATION = re.compile(r"^\s+Duration: (?:(\d+):(\d\d):(\d\d(?:\.\d+)?)|N/A)")
_STREAM = re.compile(
    r"^\s+Stream #0:\d+(?:\[0x[0-9a-fA-F]+\])?(?:\([^)]*\))?: (?P<kind>\w+): (?P<rest>.*)$"
)
_SIZE = re.compile(r"^(\d+)x(\d+)(?:\s|$)")
_NAME = re.compile(r"^[a-z][a-z0-9_]*")
# "Display Matrix: rotation of -90.00 degrees" (ffmpeg 7+), "displaymatrix: rotation of ..."
# (ffmpeg 5-6), or the "rotate : 90" metadata tag of older builds.
_ROTATION = re.compile(
    r"^\s+(?:display ?matrix: rotation of|rotate\s*:)\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE
)


_LOCATION = re.compile(
    r"^\s+(?:location(?:-\w+)?|com\.apple\.quicktime\.location\.iso6709|\xa9xyz)\s*:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Report:
    opened: bool  # ffmpeg printed "Input #0": it could read the container
    has_video: bool
    has_audio: bool
    info: MediaInfo


def parse_ffmpeg_report(container: str, stderr: str) -> MediaInfo:
    """Read `ffmpeg -i FILE` stderr: the Duration line, first Video stream, first Audio stream."""
    return _read_report(container, stderr).info


def _read_report(container: str, stderr: str) -> _Report:
    lines = _input_block(stderr)
    duration = width = height = video_codec = pixel_format = audio_codec = None
    has_video = has_audio = has_location = False
    rotation = 0.0
    in_first_video = False
    for line in lines or ():
        duration_match = _DURATION.match(line)
        if duration_match and duration is None and duration_match.group(1) is not None:
            hours, minutes, seconds = duration_match.groups()
            duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
            continue
        has_location = has_location or bool(_LOCATION.match(line))
        stream = _STREAM.match(line)
        if stream is None:
            rotation_match = _ROTATION.match(line)
            if rotation_match and in_first_video:
                rotation = float(rotation_match.group(1))
            continue
        in_first_video = False
        kind, rest = stream.group("kind"), stream.group("rest")
        # Cover art in an audio file is a "video" stream of one picture.
        if kind == "Video" and not has_video and "(attached pic)" not in rest:
            has_video = in_first_video = True
            video_codec, pixel_format, width, height = _video_fields(rest)
        elif kind == "Audio" and not has_audio:
            has_audio = True
            audio_codec = _codec(rest)
    if round(rotation) % 180 == 90:
        width, height = height, width
    info = MediaInfo(
        container=container,
        duration_seconds=duration,
        width=width,
        height=height,
        video_codec=video_codec,
        pixel_format=pixel_format,
        audio_codec=audio_codec,
        has_location=has_location,
    )
    return _Report(opened=lines is not None, has_video=has_video, has_audio=has_audio, info=info)


def _input_block(stderr: str) -> list[str] | None:
    """The indented lines under "Input #0, ...", None when ffmpeg could not open the input."""
    lines = stderr.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Input #0, "):
            block = []
            for following in lines[index + 1 :]:
                if following[:1].isspace():
                    block.append(following)
                elif not following.startswith("["):  # a log line from a library: skip it
                    break
            return block
    return None


def _split_fields(text: str) -> list[str]:
    """Split at the commas outside parentheses and brackets: "gbrp(pc, gbr/unknown), 1x1"."""
    fields, depth, start = [], 0, 0
    for index, character in enumerate(text):
        if character in "([":
            depth += 1
        elif character in ")]":
            depth = max(0, depth - 1)
        elif character == "," and depth == 0:
            fields.append(text[start:index].strip())
            start = index + 1
    fields.append(text[start:].strip())
    return fields


def _codec(rest: str) -> str | None:
    match = _NAME.match(rest)
    return match.group() if match and match.group() != "none" else None


def _video_fields(rest: str) -> tuple[str | None, str | None, int | None, int | None]:
    """Codec, pixel format, width, height of "h264 (High) (avc1 / 0x...), yuv420p(tv), 1x1"."""
    fields = _split_fields(rest)
    pixel_format = width = height = None
    if len(fields) > 1 and not _SIZE.match(fields[1]):
        name = _NAME.match(fields[1])
        if name and name.group() != "none":
            pixel_format = name.group()
    for field in fields[1:]:
        size = _SIZE.match(field)
        if size:
            width, height = int(size.group(1)), int(size.group(2))
            break
    return _codec(rest), pixel_format, width, height


# Running ffmpeg


@functools.cache
def _ffmpeg() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def _run(arguments: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ffmpeg with `arguments`; output decoded leniently (tags may be in any encoding)."""
    # A list of arguments and no shell: nothing in a file name can become a command.
    return subprocess.run(  # noqa: S603
        [_ffmpeg(), "-nostdin", "-hide_banner", *arguments],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
    )


def _input(path: Path, container: str) -> list[str]:
    """Input options: the sniffed demuxer, local files only ("file:" also protects a "-x.mp4")."""
    return ["-protocol_whitelist", "file", "-f", CONTAINERS[container], "-i", f"file:{path}"]


def _tail(text: str | bytes | None) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return "\n".join((text or "").strip().splitlines()[-STDERR_TAIL_LINES:])


def ffmpeg_version() -> str:
    """The version of the ffmpeg in use, e.g. "n9.0.2-17-g2a571b6068-20260930"."""
    first_line = _run(["-version"], timeout=30).stdout.partition("\n")[0]
    match = re.match(r"ffmpeg version (\S+)", first_line)
    return match.group(1) if match else first_line.strip()


# Probing


def probe(path: Path, head: bytes | None = None) -> MediaInfo:
    """Sniff then probe a file with ffmpeg; NotAVideo when it is not a readable video."""
    if head is None:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
    container = sniff_container(head)
    missing = _missing_bytes(path, container, head)
    if missing:
        raise NotAVideo("unreadable", f"truncated: {missing} bytes missing at the end")
    # Not a bare `ffmpeg -i FILE` (which only reads headers, and exits 1 by design): the first
    # video frame is decoded too, and framecrc writes one line per decoded frame on stdout.
    # That line is the proof: a damaged stream or an undecodable codec opens fine but yields
    # none, and the exit status does not say so (0 when the demuxer ends before any frame).
    # One run reads the report and proves a frame. 0:V is a video stream that is not cover art.
    try:
        result = _run(
            [*_input(path, container), "-map", "0:V:0", "-frames:v", "1", "-f", "framecrc", "-"],
            timeout=PROBE_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as error:
        raise NotAVideo("unreadable", f"ffmpeg took over {error.timeout} s") from error
    report = _read_report(container, result.stderr)
    if not report.opened:
        raise NotAVideo("unreadable", _tail(result.stderr))
    if not report.has_video:
        raise NotAVideo("audio_only" if report.has_audio else "unreadable", "no video stream")
    if not any(line and not line.startswith("#") for line in result.stdout.splitlines()):
        raise NotAVideo("unreadable", f"no video frame decodes\n{_tail(result.stderr)}")
    return report.info


def browser_playable(info: MediaInfo) -> bool:
    """Whether every current browser plays it as is (MP4 H.264/AAC, WebM VP9 or VP8/Opus)."""
    codecs = _BROWSER_CODECS.get(info.container)
    if codecs is None:
        return False
    video_codecs, audio_codecs = codecs
    return (
        info.video_codec in video_codecs
        and info.pixel_format in _EIGHT_BIT_420  # 10-bit and 4:4:4 fail in Safari or Firefox
        and (info.audio_codec is None or info.audio_codec in audio_codecs)
    )


# Making files


def make_thumbnail(source: Path, destination: Path, info: MediaInfo, width: int = 480) -> None:
    """A JPEG frame from about 10% into the video, `width` px wide with an even height."""
    duration = info.duration_seconds or 0.0
    seconds = (
        0.0 if duration < THUMBNAIL_MIN_DURATION else min(duration / 10, THUMBNAIL_SECONDS_MAX)
    )
    # A wrong duration can seek past the last frame: the first frame is the fallback.
    for attempt in dict.fromkeys((seconds, 0.0)):
        try:
            _write_with_ffmpeg(
                [
                    "-ss",
                    f"{attempt:.3f}",
                    *_input(source, info.container),
                    "-map",
                    "0:V:0",
                    "-frames:v",
                    "1",
                    "-vf",
                    f"scale={width}:-2",
                    "-q:v",
                    "3",
                ],
                destination,
                muxer="mjpeg",
                timeout=THUMBNAIL_TIMEOUT_SECONDS,
            )
            return
        except MediaError:
            if attempt == 0.0:
                raise


def transcode_to_mp4(
    source: Path, destination: Path, info: MediaInfo, timeout_seconds: int = 3600
) -> None:
    """Make a browser-playable MP4 (H.264 yuv420p, AAC), copying the streams that already are."""
    copy_safe = info.container in _COPY_SAFE_CONTAINERS
    short_side = min(info.width or 0, info.height or 0)
    copy_video = (
        copy_safe
        and info.video_codec == "h264"
        and info.pixel_format in _EIGHT_BIT_420
        and 0 < short_side <= MAX_SHORT_SIDE
    )
    # -threads 2 before the input limits the decoder, after it the encoder: an upload must not
    # take every core of the web server. -map_metadata -1: phones record where the video was
    # shot, a public contest page must not tell it (rotation is side data and stays).
    arguments = ["-threads", "2", *_input(source, info.container), "-map", "0:V:0"]
    if info.audio_codec is not None:
        arguments += ["-map", "0:a:0"]
    arguments += ["-map_metadata", "-1", "-map_chapters", "-1"]
    if copy_video:
        arguments += ["-c:v", "copy"]
    else:
        arguments += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]
        arguments += ["-vf", f"{_CAP_SHORT_SIDE},setsar=1,format=yuv420p"]
    if info.audio_codec is not None:
        if copy_safe and info.audio_codec == "aac":
            arguments += ["-c:a", "copy"]
        else:
            arguments += ["-c:a", "aac", "-b:a", "128k"]
    arguments += ["-threads", "2", "-movflags", "+faststart"]
    _write_with_ffmpeg(arguments, destination, muxer="mp4", timeout=timeout_seconds)


# The shorter side at most 1080 px, keeping the aspect ratio, both sides even. The frame is
# already rotated upright here, so a portrait phone video stays 1080 px wide, not 608.
_CAP_SHORT_SIDE = (
    f"scale=w='if(gte(iw,ih),-2,min({MAX_SHORT_SIDE},trunc(iw/2)*2))'"
    f":h='if(gte(iw,ih),min({MAX_SHORT_SIDE},trunc(ih/2)*2),-2)'"
)


def _write_with_ffmpeg(arguments: list[str], destination: Path, muxer: str, timeout: float) -> None:
    """Run ffmpeg into a temporary file beside `destination`, renamed to it only on success."""
    # Not mkstemp: its files are private (0600), ffmpeg creates them readable by the web server.
    partial = destination.with_name(f".{destination.name}.{secrets.token_hex(8)}.part")
    try:
        try:
            result = _run([*arguments, "-f", muxer, "-y", f"file:{partial}"], timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise MediaError(f"ffmpeg took over {timeout} s\n{_tail(error.stderr)}") from error
        if result.returncode != 0:
            raise MediaError(f"ffmpeg exited with {result.returncode}\n{_tail(result.stderr)}")
        if partial.stat().st_size == 0:
            raise MediaError(f"ffmpeg wrote nothing\n{_tail(result.stderr)}")
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)  # gone already after a successful rename


def render_test_pattern(destination: Path, seconds: int, pattern: str = "testsrc2") -> None:
    """A browser-playable MP4 of one of ffmpeg's test patterns with a tone (for the demo)."""
    arguments = [
        *("-f", "lavfi", "-i", f"{pattern}=duration={seconds}:size=640x360:rate=25"),
        *("-f", "lavfi", "-i", f"sine=frequency=523:duration={seconds}"),
        *("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-y", str(destination)),
    ]
    result = _run(arguments, timeout=THUMBNAIL_TIMEOUT_SECONDS)
    if result.returncode != 0:
        raise MediaError(_tail(result.stderr))
