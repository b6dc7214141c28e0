"""Question files in the formats organizers use, read into one validated shape.

`read_question_file` picks the reader from the file name; every reader yields `RawQuestion`s
and `Problem`s (records.py); `check_questions` (validation.py) applies the same rules to all.
"""

import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import BinaryIO

from contest.domain.question_files.aiken import read_aiken
from contest.domain.question_files.bank_toml import read_bank_toml
from contest.domain.question_files.encoding import encoding_problem, text_lines
from contest.domain.question_files.gift import read_gift
from contest.domain.question_files.moodle_xml import read_moodle_xml
from contest.domain.question_files.records import (
    Location,
    Problem,
    ProblemCode,
    RawQuestion,
    ReadItem,
)
from contest.domain.question_files.tabular import read_csv, read_xlsx

FORMATS = {
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".gift": "gift",
    ".txt": "gift or aiken",
    ".xml": "moodle xml",
    ".toml": "bank toml",
}
_AIKEN_ANSWER = re.compile(r"ANSWER:\s*[A-Z]")


def file_format(file_name: str) -> str | None:
    """The format a file name announces, or None for a format the platform does not read."""
    return FORMATS.get(PurePath(file_name).suffix.lower())


def read_question_file(stream: BinaryIO, file_name: str) -> Iterator[ReadItem]:
    """Read any supported file: the questions as written and the problems found on the way.

    The stream must be seekable (an uploaded file, an open file). A file without a single
    question, and no other problem to explain why, is reported as such.
    """
    questions = problems = 0
    for item in _read(stream, file_name):
        if isinstance(item, RawQuestion):
            questions += 1
        elif not item.is_skip:
            problems += 1
        yield item
    if questions == 0 and problems == 0:
        yield Problem(Location(file_name), ProblemCode.NO_QUESTIONS)


def _read(stream: BinaryIO, file_name: str) -> Iterator[ReadItem]:
    kind = file_format(file_name)
    if kind is None:
        extension = PurePath(file_name).suffix or file_name
        yield Problem(Location(file_name), ProblemCode.UNKNOWN_FORMAT, {"extension": extension})
        return
    if kind == "xlsx":
        yield from read_xlsx(stream, file_name)
        return
    problem = encoding_problem(stream, file_name)
    if problem is not None:
        yield problem
        return
    if kind == "moodle xml":
        yield from read_moodle_xml(stream, file_name)
    elif kind == "bank toml":
        yield from read_bank_toml(stream, file_name)
    elif kind == "csv":
        yield from read_csv(stream, file_name)
    elif kind == "gift" or not _looks_like_aiken(stream):
        yield from read_gift(text_lines(stream), file_name)
    else:
        yield from read_aiken(text_lines(stream), file_name)


def _looks_like_aiken(stream: BinaryIO) -> bool:
    """A .txt file is Aiken when an ANSWER: line comes before any GIFT brace."""
    try:
        for line in text_lines(stream):
            if "{" in line and not line.lstrip().startswith("//"):
                return False
            if _AIKEN_ANSWER.match(line.strip()):
                return True
        return False
    finally:
        stream.seek(0)
