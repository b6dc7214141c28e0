"""What every question-file reader produces: questions as read, and problems with their place.

Readers know a format's syntax; they do not judge content. They yield a `RawQuestion` for each
question they could read (even one with no right answer or a single choice: validation says what
is wrong with it) and a `Problem` for what they could not read. `validation.py` turns raw
questions into `CheckedQuestion`s or problems, the same way for every format.
"""

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from contest.domain.legal_basis import LegalBasis


class ProblemCode(enum.Enum):
    """Every problem a question file can have; each has a Vietnamese message in the app."""

    # The whole file is unusable (import refused even for "valid questions only").
    EMPTY_FILE = "empty_file"
    UNKNOWN_FORMAT = "unknown_format"  # params: extension
    NOT_UTF8 = "not_utf8"  # at the line of the first bad byte
    LEGACY_ENCODING = "legacy_encoding"  # params: encoding ("TCVN3 (ABC)", "VNI", ...)
    UNREADABLE_FILE = "unreadable_file"  # params: detail (a corrupt XLSX or XML)
    WRONG_LAYOUT = "wrong_layout"  # params: expected, found
    NO_QUESTIONS = "no_questions"
    # One question is wrong; the others may still be imported.
    NO_TEXT = "no_text"
    TEXT_TOO_LONG = "text_too_long"  # params: limit
    NO_TOPIC = "no_topic"
    TOPIC_TOO_LONG = "topic_too_long"  # params: limit
    TOO_FEW_CHOICES = "too_few_choices"  # params: count, minimum
    TOO_MANY_CHOICES = "too_many_choices"  # params: count, maximum
    EMPTY_CHOICE = "empty_choice"  # params: choice (its letter)
    DUPLICATE_CHOICE = "duplicate_choice"  # params: choice, first (letters)
    CHOICE_TOO_LONG = "choice_too_long"  # params: choice, limit
    NO_CORRECT_ANSWER = "no_correct_answer"
    SEVERAL_CORRECT_ANSWERS = "several_correct_answers"  # params: count
    ANSWER_NOT_A_CHOICE = "answer_not_a_choice"  # params: answer (what the file says)
    UNKNOWN_DIFFICULTY = "unknown_difficulty"  # params: value
    CITATION_TOO_LONG = "citation_too_long"  # params: limit
    BAD_BASIS = "bad_basis"  # params: field (a legal_basis.BASIS_FIELDS key or "source"), value
    LEGACY_TEXT = "legacy_text"  # params: encoding; text typed in a TCVN3/VNI font
    DUPLICATE_IN_FILE = "duplicate_in_file"  # params: first (location of the first copy)
    DUPLICATE_IN_BANK = "duplicate_in_bank"
    TRUNCATED_QUESTION = "truncated_question"  # cut off at the end of the file
    MALFORMED_QUESTION = "malformed_question"  # params: detail (the syntax error, in English)
    # Not an error: a question of a kind the platform does not play, left out of the import.
    UNSUPPORTED_TYPE = "unsupported_type"  # params: kind


FILE_PROBLEMS = frozenset(
    {
        ProblemCode.EMPTY_FILE,
        ProblemCode.UNKNOWN_FORMAT,
        ProblemCode.NOT_UTF8,
        ProblemCode.LEGACY_ENCODING,
        ProblemCode.UNREADABLE_FILE,
        ProblemCode.WRONG_LAYOUT,
        ProblemCode.NO_QUESTIONS,
    }
)


@dataclass(frozen=True)
class Location:
    """Where something is in a file: a sheet and row, a line, or the nth entry."""

    file: str
    sheet: str | None = None
    row: int | None = None
    line: int | None = None
    entry: int | None = None  # the nth question, for formats without lines (TOML)

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.entry is not None:
            parts.append(f"question {self.entry}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    location: Location
    code: ProblemCode
    params: Mapping[str, object] = field(default_factory=dict)  # values, or a Location

    @property
    def blocks_whole_file(self) -> bool:
        return self.code in FILE_PROBLEMS

    @property
    def is_skip(self) -> bool:
        """A question left out on purpose (another question type), not an error."""
        return self.code is ProblemCode.UNSUPPORTED_TYPE


@dataclass(frozen=True)
class RawChoice:
    text: str
    correct: bool


@dataclass(frozen=True)
class RawQuestion:
    """A question as a file states it, before any check (texts as read, not yet normalised)."""

    location: Location
    text: str
    choices: tuple[RawChoice, ...]
    topic: str | None = None
    difficulty: str | None = None
    citation: str | None = None
    # The legal basis fields the file gives (legal_basis.BASIS_FIELDS), as read; the formats
    # without a place for them (Aiken, GIFT, Moodle XML) give none, and the citation is parsed.
    basis: Mapping[str, object] | None = None
    source_note: str | None = None


@dataclass(frozen=True)
class CheckedQuestion:
    """A question that passed validation: NFC text, 2 to 6 distinct choices, one correct."""

    location: Location
    topic: str
    text: str
    choices: tuple[str, ...]
    correct_index: int  # 0-based
    difficulty: str | None
    citation: str | None
    basis: LegalBasis | None = None
    source_note: str | None = None  # where the text of the basis was read


class BankEntry(Protocol):
    """A question to write to a file: what a checked question or an exported one offers."""

    @property
    def topic(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def choices(self) -> tuple[str, ...]: ...

    @property
    def correct_index(self) -> int: ...

    @property
    def difficulty(self) -> str | None: ...

    @property
    def citation(self) -> str | None: ...

    @property
    def basis(self) -> LegalBasis | None: ...

    @property
    def source_note(self) -> str | None: ...


ReadItem = RawQuestion | Problem
Reader = Iterator[ReadItem]
