"""Aiken files: Moodle's plain-text format for single-answer multiple-choice questions.

    Thủ đô của Việt Nam là thành phố nào?
    A. Hà Nội
    B) Huế
    ANSWER: A

The question text is one line; each option line is a capital letter, "." or ")", and a space;
"ANSWER: X" names the right option by its place (A the first). Blank lines between questions
are optional. Follows Moodle's importer (question/format/aiken/format.php): lines are trimmed,
lines shorter than two characters are skipped, "ANSWER:" must be in capitals, and a line that
is neither an option nor an answer starts a new question.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from contest.domain.question_files.records import (
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
    ReadItem,
)

ANSWER_PREFIX = "ANSWER:"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# The space is required, as Moodle's documentation says (its code has made it optional):
# Vietnamese question texts often begin "C.Mác ..." or "V.I.Lênin ...", which are no options.
_OPTION = re.compile(r"[A-Z][.)](?:[ \t]|$)")
# What people write instead of "ANSWER:"; Moodle would take it for a new question's text.
_ANSWER_LOOKALIKE = re.compile(r"(?:answer|đáp\s*án)\s*:", re.IGNORECASE)

_NO_ANSWER_LINE = "no ANSWER line"
_NO_OPTIONS = "no options"
_SEVERAL_LINES = "question text spans several lines; Aiken needs it on one line"
_LOOKALIKE = "the answer line must be written 'ANSWER: X', in capitals"
_EMPTY_ANSWER = "the ANSWER line names no option"
_STRAY_OPTION = "option line outside a question"
_STRAY_ANSWER = "ANSWER line outside a question"


@dataclass
class _OpenQuestion:
    line: int
    text: str
    choices: list[str] = field(default_factory=list)
    error: str | None = None  # a syntax error found already, reported when the question ends


def read_aiken(lines: Iterable[str], file_name: str) -> Iterator[ReadItem]:
    """Read Aiken text (decoded lines), streaming."""
    question: _OpenQuestion | None = None
    after_gap = True  # a blank line (or the file's start) since the last line read
    stray_reported = False  # one problem for a run of lines outside any question

    def stray(number: int, detail: str) -> Iterator[Problem]:
        nonlocal stray_reported
        if not stray_reported:
            stray_reported = True
            location = Location(file_name, line=number)
            yield Problem(location, ProblemCode.MALFORMED_QUESTION, {"detail": detail})

    for number, raw in enumerate(lines, 1):
        line = raw.strip().lstrip("\ufeff").strip() if number == 1 else raw.strip()
        if len(line) < 2:
            after_gap = True
            continue
        if _OPTION.match(line):
            if question is None:
                yield from stray(number, _STRAY_OPTION)
            else:
                question.choices.append(line[2:].strip())
        elif line.startswith(ANSWER_PREFIX):
            if question is None:
                yield from stray(number, _STRAY_ANSWER)
            else:
                yield _answered(question, line[len(ANSWER_PREFIX) :].strip(), file_name)
                question = None
        elif _ANSWER_LOOKALIKE.match(unicodedata.normalize("NFC", line)):
            if question is None:
                yield from stray(number, _STRAY_ANSWER)
            else:
                yield _malformed(question, question.error or _LOOKALIKE, file_name)
                question = None
        elif question is not None and not question.choices and not after_gap:
            # A second line right under the question text: the text was wrapped, not a new
            # question; reading it as one would import half a question.
            question.error = question.error or _SEVERAL_LINES
        else:
            if question is not None:
                yield _interrupted(question, file_name)
            question = _OpenQuestion(number, line)
            stray_reported = False
        after_gap = False
    if question is not None:
        if question.error:
            yield _malformed(question, question.error, file_name)
        else:
            yield Problem(Location(file_name, line=question.line), ProblemCode.TRUNCATED_QUESTION)


def _malformed(question: _OpenQuestion, detail: str, file_name: str) -> Problem:
    location = Location(file_name, line=question.line)
    return Problem(location, ProblemCode.MALFORMED_QUESTION, {"detail": detail})


def _interrupted(question: _OpenQuestion, file_name: str) -> Problem:
    """A question that a new question's text cut short."""
    detail = question.error or (_NO_ANSWER_LINE if question.choices else _NO_OPTIONS)
    return _malformed(question, detail, file_name)


def _answered(question: _OpenQuestion, answer: str, file_name: str) -> ReadItem:
    if question.error:
        return _malformed(question, question.error, file_name)
    if not question.choices:
        return _malformed(question, _NO_OPTIONS, file_name)
    if not answer:
        return _malformed(question, _EMPTY_ANSWER, file_name)
    location = Location(file_name, line=question.line)
    # Moodle reads the first character and counts from A: "ANSWER: C" is the third option.
    index = LETTERS.find(answer[0])
    if not 0 <= index < len(question.choices):
        return Problem(location, ProblemCode.ANSWER_NOT_A_CHOICE, {"answer": answer})
    choices = tuple(RawChoice(text, n == index) for n, text in enumerate(question.choices))
    return RawQuestion(location, question.text, choices)
