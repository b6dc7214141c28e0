"""Reading a text question file as UTF-8 lines, and naming the encoding when it is not UTF-8."""

import codecs
import io
from collections.abc import Iterator
from typing import BinaryIO

from contest.domain.question_files.legacy_vietnamese import guess_legacy_encoding
from contest.domain.question_files.records import Location, Problem, ProblemCode

CHUNK_SIZE = 1 << 16


def encoding_problem(stream: BinaryIO, file_name: str) -> Problem | None:
    """Check, chunk by chunk, that the file is non-empty UTF-8; the problem if it is not.

    Leaves the stream at its start. A file that fails names its legacy Vietnamese encoding
    when it has the look of one (TCVN3, VNI, Windows-1258), and the line of the first bad byte.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, has_content, first_chunk = 1, False, b""
    try:
        while chunk := stream.read(CHUNK_SIZE):
            first_chunk = first_chunk or chunk
            has_content = has_content or bool(chunk.replace(codecs.BOM_UTF8, b"").strip())
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk.count(b"\n", 0, error.start)
                return _not_utf8(Location(file_name, line=line), first_chunk)
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _not_utf8(Location(file_name, line=line), first_chunk)
    finally:
        stream.seek(0)
    if not has_content:
        return Problem(Location(file_name), ProblemCode.EMPTY_FILE)
    return None


def _not_utf8(location: Location, sample: bytes) -> Problem:
    legacy = guess_legacy_encoding(sample)
    if legacy is None:
        return Problem(location, ProblemCode.NOT_UTF8)
    return Problem(location, ProblemCode.LEGACY_ENCODING, {"encoding": legacy})


def text_stream(stream: BinaryIO) -> io.TextIOWrapper:
    """The file as text (UTF-8, a leading byte-order mark dropped, any line ending)."""
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def text_lines(stream: BinaryIO) -> Iterator[str]:
    """The file's lines as text, without line endings or a leading byte-order mark."""
    text = text_stream(stream)
    try:
        for line in text:
            yield line.rstrip("\r\n")
    finally:
        text.detach()  # the caller owns the binary stream and closes it
