"""Adding questions to the bank."""

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from contest.domain.bank_files import BankQuestion, parse_bank_file
from contest.domain.text import fold_text
from contest.extensions import db
from contest.models import Choice, Question

BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"


def read_bank_dir(directory: Path = BANK_DIR) -> list[BankQuestion]:
    """Parse every topic file of the platform's bank, in file-name order."""
    questions: list[BankQuestion] = []
    for path in sorted(directory.glob("*.toml")):
        questions += parse_bank_file(path.name, path.read_text(encoding="utf-8"))
    return questions


def add_questions(questions: Iterable[BankQuestion]) -> int:
    """Add the questions the bank does not hold yet (same text, folded); return how many."""
    known = {fold_text(text) for text in db.session.scalars(select(Question.text))}
    added = 0
    for item in questions:
        if fold_text(item.text) in known:
            continue
        known.add(fold_text(item.text))
        db.session.add(
            Question(
                topic=item.topic,
                text=item.text,
                citation=item.citation,
                difficulty=item.difficulty,
                choices=[
                    Choice(text=text, is_correct=index == item.correct_index, position=index)
                    for index, text in enumerate(item.choices)
                ],
            )
        )
        added += 1
    db.session.flush()
    return added
