"""The platform's own bank files (question_bank/*.toml): one topic a file, readable in review.

A file holds `topic = "..."` and `[[questions]]` tables with `text`, `choices`, `answer` (the
1-based number of the single correct choice), `difficulty` and `citation`.
"""

import tomllib
from collections.abc import Iterator
from typing import BinaryIO

from contest.domain.question_files.records import (
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
    ReadItem,
)


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
    return RawQuestion(
        location=location,
        text=str(entry.get("text", "")),
        choices=tuple(RawChoice(text, n == answer) for n, text in enumerate(choices, 1)),
        topic=topic,
        difficulty=_optional_text(entry.get("difficulty")),
        citation=_optional_text(entry.get("citation")),
    )


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)
