"""Reading the platform's own question bank files (question_bank/*.toml).

A file holds one topic: `topic = "..."` and `[[questions]]` tables with `text`, `choices`
(2 to 6), `answer` (1-based index of the single correct choice), `difficulty` and `citation`.
"""

import tomllib
import unicodedata
from dataclasses import dataclass

from contest.domain.text import clean_text

MIN_CHOICES, MAX_CHOICES = 2, 6
MAX_QUESTION_LENGTH, MAX_CHOICE_LENGTH = 2000, 500
DIFFICULTIES = ("easy", "medium", "hard")


class BankFileError(ValueError):
    """A bank file that cannot be loaded, with where the problem is."""

    def __init__(self, location: str, problem: str) -> None:
        super().__init__(f"{location}: {problem}")
        self.location = location
        self.problem = problem


@dataclass(frozen=True)
class BankQuestion:
    topic: str
    text: str
    choices: tuple[str, ...]
    correct_index: int  # 0-based
    difficulty: str | None
    citation: str


def parse_bank_file(name: str, content: str) -> list[BankQuestion]:
    """Parse and check one topic file; raise BankFileError naming the question at fault."""
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as error:
        raise BankFileError(name, f"not valid TOML ({error})") from None
    topic = data.get("topic")
    if not isinstance(topic, str) or not topic.strip():
        raise BankFileError(name, "missing topic")
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        raise BankFileError(name, "no [[questions]]")
    return [
        _question(f"{name}, question {n}", clean_text(topic), entry)
        for n, entry in enumerate(entries, 1)
    ]


def _question(location: str, topic: str, entry: dict) -> BankQuestion:
    text, choices = entry.get("text"), entry.get("choices")
    answer, citation = entry.get("answer"), entry.get("citation")
    difficulty = entry.get("difficulty")
    if not isinstance(text, str) or not text.strip():
        raise BankFileError(location, "empty question text")
    if len(text) > MAX_QUESTION_LENGTH:
        raise BankFileError(location, f"question longer than {MAX_QUESTION_LENGTH} characters")
    if not isinstance(choices, list) or not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
        raise BankFileError(location, f"needs {MIN_CHOICES} to {MAX_CHOICES} choices")
    if not all(isinstance(choice, str) and choice.strip() for choice in choices):
        raise BankFileError(location, "empty choice")
    cleaned = tuple(clean_text(choice) for choice in choices)
    if any(len(choice) > MAX_CHOICE_LENGTH for choice in cleaned):
        raise BankFileError(location, f"choice longer than {MAX_CHOICE_LENGTH} characters")
    if len({choice.casefold() for choice in cleaned}) != len(cleaned):
        raise BankFileError(location, "duplicated choice")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= len(cleaned):
        raise BankFileError(location, f"answer must be a choice number from 1 to {len(cleaned)}")
    if not isinstance(citation, str) or not citation.strip():
        raise BankFileError(location, "missing citation")
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise BankFileError(location, f"difficulty must be one of {', '.join(DIFFICULTIES)}")
    return BankQuestion(
        topic=topic,
        text=unicodedata.normalize("NFC", text.strip()),  # line breaks kept
        choices=cleaned,
        correct_index=answer - 1,
        difficulty=difficulty,
        citation=clean_text(citation),
    )
