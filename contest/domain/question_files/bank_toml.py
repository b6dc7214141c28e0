"""The platform's own bank files (question_bank/*.toml): one topic a file, readable in review.

A file holds `topic = "..."` and `[[questions]]` tables with `text`, `choices`, `answer` (the
1-based number of the single correct choice), `difficulty`, `citation` and, optionally, a
`topic` of its own (an export of several topics in one file) and the legal basis:

    [[questions]]
    text = "..."
    choices = ["...", "...", "...", "..."]
    answer = 2
    difficulty = "easy"
    citation = "Nghị định 61/2018/NĐ-CP ngày 23/4/2018, khoản 1 Điều 17"

    [questions.basis]
    type = "Nghị định"                  # Luật, Nghị định, Quyết định, Chỉ thị, Thông tư, ...
    number = "61/2018/NĐ-CP"
    date = 2018-04-23                   # the day it was issued (a TOML date or "23/04/2018")
    name = "..."                        # the title, when the citation gives one
    version = "..."                     # the version or consolidated text followed
    article = "17"
    clause = "1"
    point = "a"
    in_force_from = 2018-06-21
    in_force_until = ...                # the first day it no longer applies, when known
    superseded_by = "Nghị định 118/2025/NĐ-CP"
    source = "..."                      # where the text was read (an official text, Pháp điển)

Every basis field is optional: what is left out comes from the citation (legal_basis).
"""

import json
import tomllib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import BinaryIO, TextIO

from contest.domain.legal_basis import BASIS_FIELDS, basis_fields
from contest.domain.question_files.records import (
    BankEntry,
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
    ReadItem,
)

SOURCE_FIELD = "source"
_BASIS_KEYS = frozenset(BASIS_FIELDS) | {SOURCE_FIELD}


def read_bank_toml(stream: BinaryIO, file_name: str) -> Iterator[ReadItem]:
    """Read one topic file; problems name the question by its number in the file."""
    try:
        data = tomllib.load(stream)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        yield Problem(Location(file_name), ProblemCode.UNREADABLE_FILE, {"detail": str(error)})
        return
    topic, entries = data.get("topic"), data.get("questions")
    if not isinstance(topic, str) or not isinstance(entries, list):
        found = ", ".join(sorted(data)) or "—"
        yield Problem(
            Location(file_name),
            ProblemCode.WRONG_LAYOUT,
            {"expected": "topic, [[questions]]", "found": found},
        )
        return
    for number, entry in enumerate(entries, 1):
        yield _question(Location(file_name, entry=number), topic, entry)


def _question(location: Location, topic: str, entry: object) -> ReadItem:
    if not isinstance(entry, dict):
        return Problem(location, ProblemCode.MALFORMED_QUESTION, {"detail": "not a table"})
    choices, answer = entry.get("choices", []), entry.get("answer")
    if not isinstance(choices, list) or not all(isinstance(choice, str) for choice in choices):
        return Problem(
            location, ProblemCode.MALFORMED_QUESTION, {"detail": "choices is not a list of text"}
        )
    if answer is not None and (
        not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= len(choices)
    ):
        return Problem(location, ProblemCode.ANSWER_NOT_A_CHOICE, {"answer": str(answer)})
    basis = entry.get("basis", {})
    if not isinstance(basis, dict):
        return Problem(location, ProblemCode.MALFORMED_QUESTION, {"detail": "basis is not a table"})
    unknown = sorted(set(basis) - _BASIS_KEYS)
    if unknown:
        detail = f"unknown basis field {unknown[0]!r}"
        return Problem(location, ProblemCode.MALFORMED_QUESTION, {"detail": detail})
    return RawQuestion(
        location=location,
        text=str(entry.get("text", "")),
        choices=tuple(RawChoice(text, n == answer) for n, text in enumerate(choices, 1)),
        topic=_optional_text(entry.get("topic")) or topic,
        difficulty=_optional_text(entry.get("difficulty")),
        citation=_optional_text(entry.get("citation")),
        basis={key: value for key, value in basis.items() if key != SOURCE_FIELD} or None,
        source_note=_optional_text(basis.get(SOURCE_FIELD)),
    )


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def write_bank_toml(questions: Iterable[BankEntry], out: TextIO) -> None:
    """Write questions as a bank file that read_bank_toml reads back to the same questions.

    The file's topic is the first question's; a question of another topic names its own.
    """
    topic: str | None = None
    for question in questions:
        if topic is None:
            topic = question.topic
            out.write(f"topic = {_string(topic)}\n")
        out.write("\n[[questions]]\n")
        if question.topic != topic:
            out.write(f"topic = {_string(question.topic)}\n")
        out.write(f"text = {_string(question.text)}\n")
        out.write("choices = [\n")
        for choice in question.choices:
            out.write(f"  {_string(choice)},\n")
        out.write("]\n")
        out.write(f"answer = {question.correct_index + 1}\n")
        if question.difficulty:
            out.write(f"difficulty = {_string(question.difficulty)}\n")
        if question.citation:
            out.write(f"citation = {_string(question.citation)}\n")
        fields = basis_fields(question.basis)
        if question.source_note:
            fields[SOURCE_FIELD] = question.source_note
        if fields:
            out.write("\n[questions.basis]\n")
            for key, value in fields.items():
                out.write(f"{key} = {_value(value)}\n")


def _value(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else _string(str(value))


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (\\", \\\\, \\n, \\uXXXX)."""
    return json.dumps(text, ensure_ascii=False)
