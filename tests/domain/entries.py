"""A question to hand to the file writers, as tests build them."""

from dataclasses import dataclass

from contest.domain.legal_basis import LegalBasis


@dataclass(frozen=True)
class Entry:
    topic: str
    text: str
    choices: tuple[str, ...]
    correct_index: int
    difficulty: str | None = None
    citation: str | None = None
    basis: LegalBasis | None = None
    source_note: str | None = None
