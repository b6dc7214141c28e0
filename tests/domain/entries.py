"""A question to hand to the file writers, as tests build them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    topic: str
    text: str
    choices: tuple[str, ...]
    correct_index: int
    difficulty: str | None = None
    citation: str | None = None
