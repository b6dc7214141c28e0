"""The question bank: importing files, adding and editing questions (with versions), export."""

import io
import itertools
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import selectinload

from contest.domain.drawing import PoolQuestion, RuleProblem, rule_problems
from contest.domain.exposure import ExposureBudget, RoundsAllowed, exposure_budget, rounds_allowed
from contest.domain.question_files import read_question_file
from contest.domain.question_files.gift import write_gift
from contest.domain.question_files.records import (
    CheckedQuestion,
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
)
from contest.domain.question_files.tabular import write_xlsx
from contest.domain.question_files.validation import check_questions, fingerprint
from contest.domain.text import search_fold
from contest.extensions import db
from contest.models import Choice, Contest, Question, ServedQuestion
from contest.models.quiz import question_search_key

BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"
INSERT_BATCH = 500
EXPORT_FORMATS = (".xlsx", ".gift")


@dataclass
class ImportReport:
    """What a question file holds: valid questions per topic and every problem, in file order."""

    file_name: str
    topics: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    imported: int = 0

    @property
    def valid(self) -> int:
        return sum(self.topics.values())

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_skip]

    @property
    def skipped(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_skip]

    @property
    def invalid_questions(self) -> int:
        """How many questions have at least one error (a question may have several)."""
        return len({p.location for p in self.errors if not p.blocks_whole_file})

    @property
    def blocked(self) -> bool:
        """The file cannot be imported at all, not even its valid questions."""
        return any(problem.blocks_whole_file for problem in self.problems)

    @property
    def is_clean(self) -> bool:
        return not self.problems


class ImportRefused(Exception):
    """Nothing was imported: the file has problems and only a clean file is imported whole."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.file_name)
        self.report = report


def bank_fingerprints() -> set[str]:
    """Fingerprints of the current versions of every question (active or not)."""
    return set(db.session.scalars(select(Question.fingerprint).where(Question.is_current_clause())))


def checked_file(
    stream: BinaryIO, file_name: str, report: ImportReport, default_topic: str | None = None
) -> Iterator[CheckedQuestion]:
    """The valid questions of a file, streaming; every problem goes into `report`."""
    items = read_question_file(stream, file_name)
    for item in check_questions(items, bank_fingerprints(), default_topic):
        if isinstance(item, Problem):
            report.problems.append(item)
        else:
            report.topics[item.topic] += 1
            yield item


def validate_file(
    stream: BinaryIO, file_name: str, default_topic: str | None = None
) -> ImportReport:
    """Read and check a file without changing the bank."""
    report = ImportReport(file_name)
    for _question in checked_file(stream, file_name, report, default_topic):
        pass
    return report


def import_file(
    stream: BinaryIO,
    file_name: str,
    now: datetime,
    default_topic: str | None = None,
    valid_only: bool = False,
) -> ImportReport:
    """Import a file: all or nothing by default, or only its valid questions.

    The questions are inserted in batches as the file is read, inside a savepoint that is
    rolled back if the file turns out to have a problem; so memory does not grow with the file.
    Raise ImportRefused (with nothing imported) when the file cannot be imported.
    """
    report = ImportReport(file_name)
    savepoint = db.session.begin_nested()
    report.imported = insert_questions(checked_file(stream, file_name, report, default_topic), now)
    if report.blocked or (report.errors and not valid_only):
        savepoint.rollback()
        report.imported = 0
        raise ImportRefused(report)
    savepoint.commit()
    return report


def insert_questions(questions: Iterable[CheckedQuestion], now: datetime) -> int:
    """Insert checked questions in batches (one INSERT of questions, one of choices each)."""
    total = 0
    iterator = iter(questions)
    while batch := list(itertools.islice(iterator, INSERT_BATCH)):
        ids = db.session.scalars(
            insert(Question).returning(Question.id, sort_by_parameter_order=True),
            [
                {
                    "topic": question.topic,
                    "text": question.text,
                    "fingerprint": fingerprint(question.text),
                    "citation": question.citation,
                    "difficulty": question.difficulty,
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for question in batch
            ],
            # One statement per batch: without it, rows with a None split the batch.
            execution_options={"render_nulls": True},
        ).all()
        db.session.execute(
            insert(Choice),
            [
                row
                for question_id, question in zip(ids, batch, strict=True)
                for row in _in_random_order(
                    [
                        {
                            "question_id": question_id,
                            "text": text,
                            "is_correct": position == question.correct_index,
                            "position": position,
                        }
                        for position, text in enumerate(question.choices)
                    ]
                )
            ],
        )
        total += len(batch)
    return total


def load_platform_bank(now: datetime, directory: Path = BANK_DIR) -> int:
    """Add the platform's own bank (question_bank/*.toml), skipping questions already held.

    The bank is kept clean in review; any other problem is a bug in the files: raise it.
    """
    added = 0
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as stream:
            report = import_file(stream, path.name, now, valid_only=True)
        wrong = [p for p in report.problems if p.code is not ProblemCode.DUPLICATE_IN_BANK]
        if wrong:
            raise ValueError(f"{wrong[0].location}: {wrong[0].code.value} {dict(wrong[0].params)}")
        added += report.imported
    return added


def question_pool() -> list[PoolQuestion]:
    """The questions new rounds are drawn from: current versions, active."""
    rows = db.session.execute(
        select(Question.id, Question.topic, Question.difficulty).where(
            Question.active.is_(True), Question.is_current_clause()
        )
    )
    return [PoolQuestion(*row) for row in rows]


@dataclass(frozen=True)
class Exposure:
    """The draw-rules page's exposure budget: the rounds allowed and what they can see."""

    rounds: RoundsAllowed
    budget: ExposureBudget
    max_percent: int

    @property
    def too_high(self) -> bool:
        return self.budget.exceeds(self.max_percent)


def exposure_of(contest: Contest, zone: tzinfo) -> Exposure:
    """How much of the bank one participant can see before the quiz closes, under the
    contest's attempt and pace limits and draw rules (contest.domain.exposure)."""
    rounds = rounds_allowed(
        contest.quiz_opens_at,
        contest.quiz_closes_at,
        zone,
        contest.max_attempts_total,
        contest.max_attempts_per_day,
        contest.max_starts_per_hour,
    )
    budget = exposure_budget(question_pool(), contest.draw_rules(), rounds.count)
    return Exposure(rounds, budget, contest.max_exposure_percent)


def draw_rule_problems(contest: Contest) -> list[RuleProblem]:
    """Why the bank cannot make a round under the contest's rules (empty when it can)."""
    return rule_problems(contest.draw_rules(), question_pool())


@dataclass(frozen=True)
class QuestionDraft:
    """A question as typed in the organizer's form."""

    topic: str
    text: str
    choices: tuple[str, ...]
    correct_index: int
    difficulty: str | None = None
    citation: str | None = None


def _as_raw(draft: QuestionDraft) -> RawQuestion:
    return RawQuestion(
        location=Location("form"),
        text=draft.text,
        choices=tuple(
            RawChoice(text, n == draft.correct_index) for n, text in enumerate(draft.choices)
        ),
        topic=draft.topic,
        difficulty=draft.difficulty,
        citation=draft.citation,
    )


def draft_problems(draft: QuestionDraft, editing: Question | None = None) -> list[Problem]:
    """What is wrong with a draft, by the same rules as an imported file."""
    known = bank_fingerprints()
    if editing is not None:
        known.discard(editing.fingerprint)
    checked = check_questions([_as_raw(draft)], known)
    return [item for item in checked if isinstance(item, Problem)]


def _checked(draft: QuestionDraft) -> CheckedQuestion:
    """The draft as it will be stored; the caller has already seen draft_problems empty."""
    item = next(iter(check_questions([_as_raw(draft)])))
    if not isinstance(item, CheckedQuestion):
        raise ValueError(f"invalid question draft: {item.code.value}")
    return item


def add_question(draft: QuestionDraft, now: datetime) -> Question:
    """Add one question typed by an organizer (check draft_problems first)."""
    question = Question(created_at=now, updated_at=now)
    _fill(question, _checked(draft))
    db.session.add(question)
    db.session.flush()
    return question


def has_been_served(question: Question) -> bool:
    """Whether any round has shown this version of the question."""
    return bool(
        db.session.scalar(select(exists().where(ServedQuestion.question_id == question.id)))
    )


def edit_question(question: Question, draft: QuestionDraft, now: datetime) -> Question:
    """Change a question; return its current version.

    A question some round has served is not changed: a new version replaces it, so that the
    rounds already played keep the exact text and key they were graded on.
    """
    checked = _checked(draft)
    if not has_been_served(question):
        _fill(question, checked)
        question.updated_at = now
        db.session.flush()
        return question
    successor = Question(
        version=question.version + 1,
        replaces_id=question.id,
        active=question.active,
        created_at=now,
        updated_at=now,
    )
    _fill(successor, checked)
    question.active = False
    question.superseded_at = now
    db.session.add(successor)
    db.session.flush()
    return successor


def _fill(question: Question, checked: CheckedQuestion) -> None:
    question.topic = checked.topic
    question.text = checked.text
    question.fingerprint = fingerprint(checked.text)
    question.difficulty = checked.difficulty
    question.citation = checked.citation
    question.search_key = question_search_key(checked.text, checked.citation)
    choices = [
        Choice(text=text, is_correct=n == checked.correct_index, position=n)
        for n, text in enumerate(checked.choices)
    ]
    db.session.add_all(_in_random_order(choices))  # the ids follow this order
    question.choices = choices


def _in_random_order(choices: list) -> list:
    """A question's choices in a random order to insert them in. Choice ids, which the API
    shows a participant, follow the insertion order: inserted in the file's order, they would
    tell each choice's place in it, and a bank whose keys cluster on A would leak its key."""
    return _SHUFFLER.sample(choices, len(choices))


_SHUFFLER = random.SystemRandom()


def set_question_active(question: Question, active: bool, now: datetime) -> None:
    """Offer a question to new rounds again, or stop offering it (rounds played keep it)."""
    question.active = active
    question.updated_at = now
    db.session.flush()


def version_history(question: Question) -> list[Question]:
    """Every version of a question, the newest first."""
    versions = [question]
    while versions[-1].previous_version is not None:
        versions.append(versions[-1].previous_version)
    return versions


def current_version(question: Question) -> Question:
    """The version that replaced this one, or itself."""
    while question.superseded_at is not None:
        successor = select(Question).where(Question.replaces_id == question.id)
        question = db.session.scalars(successor).one()
    return question


@dataclass(frozen=True)
class BankFilter:
    topic: str | None = None
    difficulty: str | None = None
    search: str | None = None
    state: str = "active"  # active | disabled | all


def bank_page(criteria: BankFilter, page: int, per_page: int = 50):
    """One page of current questions matching the filter, newest first."""
    statement = select(Question).where(Question.is_current_clause())
    if criteria.topic:
        statement = statement.where(Question.topic == criteria.topic)
    if criteria.difficulty == "none":
        statement = statement.where(Question.difficulty.is_(None))
    elif criteria.difficulty:
        statement = statement.where(Question.difficulty == criteria.difficulty)
    if criteria.state == "active":
        statement = statement.where(Question.active.is_(True))
    elif criteria.state == "disabled":
        statement = statement.where(Question.active.is_(False))
    if criteria.search:
        # Folded on both sides (search_fold): no diacritics, no case, on SQLite and PostgreSQL.
        for word in search_fold(criteria.search).split():
            pattern = f"%{_escape_like(word)}%"
            statement = statement.where(Question.search_key.like(pattern, escape="\\"))
    return db.paginate(
        statement.order_by(Question.id.desc()), page=page, per_page=per_page, error_out=False
    )


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def bank_topics() -> list[tuple[str, int]]:
    """Topics of the current, active questions with how many each holds."""
    return db.session.execute(
        select(Question.topic, func.count(Question.id))
        .where(Question.is_current_clause(), Question.active.is_(True))
        .group_by(Question.topic)
        .order_by(Question.topic)
    ).all()


def export_bank(out: BinaryIO, file_name: str) -> int:
    """Write the active questions as XLSX or GIFT (chosen by the file name); return the count."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.is_current_clause(), Question.active.is_(True))
        .order_by(Question.topic, Question.id)
        .options(selectinload(Question.choices))
        .execution_options(yield_per=500)
    )
    entries = _ExportCounter(
        CheckedQuestion(
            location=Location("bank"),
            topic=question.topic,
            text=question.text,
            choices=question.choice_texts,
            correct_index=question.correct_index,
            difficulty=question.difficulty,
            citation=question.citation,
        )
        for question in questions
    )
    if file_name.lower().endswith(".gift"):
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        write_gift(entries, text)
        text.flush()
        text.detach()  # the caller owns `out`
    else:
        write_xlsx(entries, out)
    return entries.count


class _ExportCounter:
    def __init__(self, items: Iterable[CheckedQuestion]) -> None:
        self._items, self.count = items, 0

    def __iter__(self) -> Iterator[CheckedQuestion]:
        for item in self._items:
            self.count += 1
            yield item
