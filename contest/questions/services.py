"""The question bank: importing files, adding and editing questions (with versions), export."""

import io
import itertools
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import exists, func, insert, or_, select
from sqlalchemy.orm import selectinload

from contest.domain.bank_lint import LintQuestion, LintReport, lint
from contest.domain.drawing import PoolQuestion, RuleProblem, rule_problems
from contest.domain.exposure import ExposureBudget, RoundsAllowed, exposure_budget, rounds_allowed
from contest.domain.legal_basis import Window, stated_or_cited
from contest.domain.question_files import read_question_file
from contest.domain.question_files.bank_toml import write_bank_toml
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
from contest.models import Choice, Contest, LegalDocument, Question, ServedQuestion
from contest.models.quiz import question_search_key
from contest.questions.legal import DocumentResolver, basis_of, review_values
from contest.questions.messages import describe_location

BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"
INSERT_BATCH = 500
EXPORT_FORMATS = (".xlsx", ".gift", ".toml")


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
    """Insert checked questions in batches (one INSERT of questions, one of choices each), with
    their legal documents (made when missing); a question with no basis is flagged for review."""
    total = 0
    iterator = iter(questions)
    documents = DocumentResolver()
    while batch := list(itertools.islice(iterator, INSERT_BATCH)):
        bases = [stated_or_cited(question.basis, question.citation) for question in batch]
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
                    "source_note": question.source_note,
                    **documents.basis_values(basis),
                    **review_values(basis, now),
                }
                for question, basis in zip(batch, bases, strict=True)
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


_POOL = (
    select(
        Question.id,
        Question.topic,
        Question.difficulty,
        Question.basis_in_force_from,
        Question.basis_in_force_until,
        LegalDocument.in_force_from,
        LegalDocument.in_force_until,
    )
    .outerjoin(LegalDocument, Question.legal_document_id == LegalDocument.id)
    .where(Question.active.is_(True), Question.is_current_clause())
)


def question_pool() -> list[PoolQuestion]:
    """The questions new rounds are drawn from: current versions, active, each with the days
    its legal basis is in force (its own within its document's)."""
    db.session.flush()  # a Core statement (read on every start): nothing pending left out
    rows = db.session.connection().execute(_POOL).all()
    pool = []
    for question_id, topic, difficulty, start, end, document_start, document_end in rows:
        # Window(start, end).within(Window(document_start, document_end)), written out: the
        # whole pool is read on every start.
        if document_start is not None and (start is None or document_start > start):
            start = document_start
        if document_end is not None and (end is None or document_end < end):
            end = document_end
        pool.append(PoolQuestion(question_id, topic, difficulty, start, end))
    return pool


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
class OutOfForce:
    """An active question a contest does not draw, and why: its basis is "not_yet" in force on
    the reference date, or has "ended"."""

    question: Question
    reason: str
    window: Window


def out_of_force_questions(contest: Contest) -> tuple[date, list[OutOfForce]]:
    """The contest's reference date and the active questions whose basis is not in force on
    it (drawn all the same when the contest draws questions out of force)."""
    day = contest.effective_reference_date
    # Only the questions out of force come back from the database, however large the bank.
    questions = db.session.scalars(
        select(Question)
        .outerjoin(LegalDocument, Question.legal_document_id == LegalDocument.id)
        .where(
            Question.active.is_(True),
            Question.is_current_clause(),
            or_(
                Question.basis_in_force_from > day,
                Question.basis_in_force_until <= day,
                LegalDocument.in_force_from > day,
                LegalDocument.in_force_until <= day,
            ),
        )
        .options(selectinload(Question.legal_document).selectinload(LegalDocument.superseded_by))
        .order_by(Question.topic, Question.id)
    )
    found = []
    for question in questions:
        window = question.basis_window
        reason = window.why_not(day)
        if reason is not None:
            found.append(OutOfForce(question, reason, window))
    return day, found


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
    _fill(question, _checked(draft), now, was=question)
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
        _fill(question, checked, now, was=question)
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
    _fill(successor, checked, now, was=question)
    question.active = False
    question.superseded_at = now
    db.session.add(successor)
    db.session.flush()
    return successor


def _fill(question: Question, checked: CheckedQuestion, now: datetime, was: Question) -> None:
    """Write a checked draft into `question`; `was` is the version it replaces (or itself).

    The organizer's form has no basis fields: the basis stays as it was while the citation
    stays, and is read again from a changed citation (then flagged when it names no document).
    """
    if was.id is not None and checked.citation == was.citation:
        keep = {column: getattr(was, column) for column in _KEPT_BASIS}
    else:
        basis = stated_or_cited(checked.basis, checked.citation)
        keep = DocumentResolver().basis_values(basis) | review_values(basis, now)
    keep["source_note"] = was.source_note
    document_id = keep.pop("legal_document_id")
    question.legal_document = db.session.get(LegalDocument, document_id) if document_id else None
    for column, value in keep.items():
        setattr(question, column, value)
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


_KEPT_BASIS = (
    "legal_document_id",
    "basis_version",
    "basis_article",
    "basis_clause",
    "basis_point",
    "basis_in_force_from",
    "basis_in_force_until",
    "review_reason",
    "review_flagged_at",
)


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
    """Write the active questions as XLSX, GIFT or a bank TOML file (chosen by the file name);
    return the count. GIFT keeps the citation only; the others carry the legal basis."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.is_current_clause(), Question.active.is_(True))
        .order_by(Question.topic, Question.id)
        .options(
            selectinload(Question.choices),
            selectinload(Question.legal_document).selectinload(LegalDocument.superseded_by),
        )
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
            basis=basis_of(question),
            source_note=question.source_note,
        )
        for question in questions
    )
    writer = {".gift": write_gift, ".toml": write_bank_toml}.get(Path(file_name.lower()).suffix)
    if writer is not None:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        writer(entries, text)
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


def lint_files(paths: Iterable[Path]) -> tuple[LintReport, list[Problem]]:
    """The bank check over question files (a bank directory's *.toml, or any question file),
    and the problems that kept some of their questions out of it."""
    questions: list[LintQuestion] = []
    problems: list[Problem] = []
    for path in paths:
        with path.open("rb") as stream:
            for item in check_questions(read_question_file(stream, path.name)):
                if isinstance(item, Problem):
                    problems.append(item)
                else:
                    questions.append(_lint_question(describe_location(item.location), item))
    return lint(questions), problems


def lint_bank() -> LintReport:
    """The bank check over the active questions (each named by its id)."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.is_current_clause(), Question.active.is_(True))
        .order_by(Question.topic, Question.id)
        .options(selectinload(Question.choices))
    )
    return lint(_lint_question(str(question.id), question) for question in questions)


def _lint_question(ref: str, question: CheckedQuestion | Question) -> LintQuestion:
    choices = question.choices if isinstance(question, CheckedQuestion) else question.choice_texts
    return LintQuestion(
        ref=ref,
        topic=question.topic,
        text=question.text,
        choices=tuple(choices),
        correct_index=question.correct_index,
        difficulty=question.difficulty,
        has_source_note=bool(question.source_note),
    )
