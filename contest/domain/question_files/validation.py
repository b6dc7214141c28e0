"""Checking questions read from any file: the same rules and messages for every format."""

import hashlib
from collections.abc import Container, Iterable, Iterator

from contest.domain.legal_basis import BasisFieldError, LegalBasis, basis_from_fields
from contest.domain.question_files.legacy_vietnamese import legacy_encoding_of_text
from contest.domain.question_files.records import (
    CheckedQuestion,
    Location,
    Problem,
    ProblemCode,
    RawQuestion,
    ReadItem,
)
from contest.domain.text import clean_text, fold_text

MIN_CHOICES, MAX_CHOICES = 2, 6
MAX_TEXT_LENGTH, MAX_CHOICE_LENGTH = 2000, 500
MAX_TOPIC_LENGTH, MAX_CITATION_LENGTH = 120, 500
MAX_SOURCE_NOTE_LENGTH = 500
DIFFICULTIES = ("easy", "medium", "hard")
CHOICE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# What organizers type in a difficulty column, folded, to the stored value.
_DIFFICULTY_WORDS = {
    "easy": "easy",
    "dễ": "easy",
    "de": "easy",
    "nhận biết": "easy",
    "medium": "medium",
    "trung bình": "medium",
    "trung binh": "medium",
    "thông hiểu": "medium",
    "hard": "hard",
    "khó": "hard",
    "kho": "hard",
    "vận dụng": "hard",
}


def fingerprint(text: str) -> str:
    """The identity of a question text: two texts that fold alike (NFC, case, spaces) match."""
    return hashlib.sha1(fold_text(text).encode(), usedforsecurity=False).hexdigest()


def normalise_question_text(text: str) -> str:
    """NFC, spaces tidied within each line, blank lines dropped: line breaks are the only format."""
    lines = (clean_text(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def difficulty_value(raw: str | None) -> str | None:
    """The stored difficulty for what a file says (English or Vietnamese), '' when unknown."""
    if raw is None or not raw.strip():
        return None
    return _DIFFICULTY_WORDS.get(fold_text(raw), "")


def check_questions(
    items: Iterable[ReadItem],
    known_fingerprints: Container[str] = frozenset(),
    default_topic: str | None = None,
) -> Iterator[CheckedQuestion | Problem]:
    """Check every question read; pass problems through; report duplicates in file and bank.

    A question is yielded as a CheckedQuestion only when it has no problem at all; otherwise
    each of its problems is yielded, so the organizer sees everything to fix at once.
    """
    first_seen: dict[str, Location] = {}
    for item in items:
        if isinstance(item, Problem):
            yield item
            continue
        problems = list(_problems_of(item, default_topic))
        key = fingerprint(item.text)
        if item.text.strip():
            if key in first_seen:
                problems.append(
                    Problem(
                        item.location,
                        ProblemCode.DUPLICATE_IN_FILE,
                        {"first": first_seen[key]},
                    )
                )
            elif key in known_fingerprints:
                problems.append(Problem(item.location, ProblemCode.DUPLICATE_IN_BANK))
            first_seen.setdefault(key, item.location)
        if problems:
            yield from problems
        else:
            yield _checked(item, default_topic)


def _problems_of(item: RawQuestion, default_topic: str | None) -> Iterator[Problem]:
    def problem(code: ProblemCode, **params) -> Problem:
        return Problem(item.location, code, params)

    text = normalise_question_text(item.text)
    if not text:
        yield problem(ProblemCode.NO_TEXT)
    elif len(text) > MAX_TEXT_LENGTH:
        yield problem(ProblemCode.TEXT_TOO_LONG, limit=MAX_TEXT_LENGTH)
    elif legacy := legacy_encoding_of_text(text):
        yield problem(ProblemCode.LEGACY_TEXT, encoding=legacy)
    topic = clean_text(item.topic) or clean_text(default_topic)
    if not topic:
        yield problem(ProblemCode.NO_TOPIC)
    elif len(topic) > MAX_TOPIC_LENGTH:
        yield problem(ProblemCode.TOPIC_TOO_LONG, limit=MAX_TOPIC_LENGTH)
    yield from _choice_problems(item, problem)
    if difficulty_value(item.difficulty) == "":
        yield problem(ProblemCode.UNKNOWN_DIFFICULTY, value=item.difficulty)
    if len(clean_text(item.citation)) > MAX_CITATION_LENGTH:
        yield problem(ProblemCode.CITATION_TOO_LONG, limit=MAX_CITATION_LENGTH)
    try:
        _basis(item)
    except BasisFieldError as error:
        yield problem(ProblemCode.BAD_BASIS, field=error.field, value=str(error.value))
    if len(clean_text(item.source_note)) > MAX_SOURCE_NOTE_LENGTH:
        value = clean_text(item.source_note)[:40] + "…"
        yield problem(ProblemCode.BAD_BASIS, field="source", value=value)


def _basis(item: RawQuestion) -> LegalBasis | None:
    """The basis the file states (its fields over its parsed citation), None when it states
    none: then the bank reads the citation alone (legal_basis.stated_or_cited)."""
    if not item.basis:
        return None
    return basis_from_fields(item.basis, clean_text(item.citation) or None)


def _choice_problems(item: RawQuestion, problem) -> Iterator[Problem]:
    count = len(item.choices)
    if count < MIN_CHOICES:
        yield problem(ProblemCode.TOO_FEW_CHOICES, count=count, minimum=MIN_CHOICES)
    elif count > MAX_CHOICES:
        yield problem(ProblemCode.TOO_MANY_CHOICES, count=count, maximum=MAX_CHOICES)
    first_letter_of: dict[str, str] = {}
    for letter, choice in zip(CHOICE_LETTERS, item.choices, strict=False):
        text = clean_text(choice.text)
        if not text:
            yield problem(ProblemCode.EMPTY_CHOICE, choice=letter)
            continue
        if len(text) > MAX_CHOICE_LENGTH:
            yield problem(ProblemCode.CHOICE_TOO_LONG, choice=letter, limit=MAX_CHOICE_LENGTH)
        folded = text.casefold()
        if folded in first_letter_of:
            yield problem(
                ProblemCode.DUPLICATE_CHOICE, choice=letter, first=first_letter_of[folded]
            )
        first_letter_of.setdefault(folded, letter)
    correct = sum(choice.correct for choice in item.choices)
    if count and correct == 0:
        yield problem(ProblemCode.NO_CORRECT_ANSWER)
    elif correct > 1:
        yield problem(ProblemCode.SEVERAL_CORRECT_ANSWERS, count=correct)


def _checked(item: RawQuestion, default_topic: str | None) -> CheckedQuestion:
    return CheckedQuestion(
        location=item.location,
        topic=clean_text(item.topic) or clean_text(default_topic),
        text=normalise_question_text(item.text),
        choices=tuple(clean_text(choice.text) for choice in item.choices),
        correct_index=next(n for n, choice in enumerate(item.choices) if choice.correct),
        difficulty=difficulty_value(item.difficulty),
        citation=clean_text(item.citation) or None,
        basis=_basis(item),
        source_note=clean_text(item.source_note) or None,
    )
