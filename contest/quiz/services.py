"""State changes of the quiz: starting, answering, submitting and grading rounds."""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, delete, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from contest.domain import pace, rounds
from contest.domain.drawing import (
    Candidate,
    RulesNotSatisfiable,
    pick_questions,
    serve_round,
)
from contest.extensions import db
from contest.i18n import format_local_datetime
from contest.models import (
    GRADED_STATES,
    Answer,
    Attempt,
    AttemptState,
    BestRound,
    Choice,
    Contest,
    Prediction,
    Question,
    Role,
    ServedQuestion,
    User,
)
from contest.models.types import UTCDateTime
from contest.questions.services import question_pool
from contest.quiz import plausibility


class QuizError(Exception):
    """A request the quiz rules refuse; `code` is stable, `message` is for the participant."""

    code = "quiz_error"
    message = _l("This request cannot be carried out.")

    def __init__(self, attempt_id: int | None = None) -> None:
        super().__init__(self.code)
        self.attempt_id = attempt_id


class NotAParticipant(QuizError):
    code = "not_a_participant"
    message = _l("Only participants can play rounds.")


class QuizClosed(QuizError):
    code = "quiz_closed"
    message = _l("The quiz is not open at this time.")


class NoAttemptsLeft(QuizError):
    code = "no_attempts_left"
    message = _l("You have used all the rounds you are allowed.")


class PaceLimited(QuizError):
    code = "pace_limited"

    def __init__(self, next_start_at: datetime, max_per_hour: int) -> None:
        super().__init__()
        # Shown to the minute, so the time given is never one that would still be refused.
        self.next_start_at = _next_minute(next_start_at)
        self.message = _l(
            "You may start at most %(count)s rounds in an hour: your next round may start at "
            "%(time)s.",
            count=max_per_hour,
            time=format_local_datetime(self.next_start_at),
        )


def _next_minute(moment: datetime) -> datetime:
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


class RoundInProgress(QuizError):
    code = "round_in_progress"
    message = _l("You already have a round in progress; finish it first.")


class RoundClosed(QuizError):
    code = "round_closed"
    message = _l("This round is over: it was submitted or its time ran out.")


class QuestionNotInRound(QuizError):
    code = "question_not_in_round"
    message = _l("This question is not part of this round.")


class InvalidChoice(QuizError):
    code = "invalid_choice"
    message = _l("This choice does not belong to this question.")


class BankTooSmall(QuizError):
    code = "bank_too_small"
    message = _l("The question bank does not hold enough questions for a round yet.")


def active_attempt(contest: Contest, user: User) -> Attempt | None:
    """The participant's round in progress in this contest, if any."""
    return db.session.scalars(
        select(Attempt).where(
            Attempt.contest_id == contest.id,
            Attempt.user_id == user.id,
            Attempt.state == AttemptState.ACTIVE,
        )
    ).first()


def running_attempt(contest: Contest, user: User, now: datetime) -> Attempt | None:
    """The participant's round in progress, grading it first if its time has run out."""
    running = active_attempt(contest, user)
    if running is not None and grade_if_overdue(running, now):
        return None
    return running


def allowance(contest: Contest, user: User, now: datetime, timezone: ZoneInfo) -> rounds.Allowance:
    """How many rounds the participant has started, today and in all, and how many are left."""
    day_start, day_end = rounds.local_day_bounds(now, timezone)
    started_today = func.sum(
        case((and_(Attempt.started_at >= day_start, Attempt.started_at < day_end), 1), else_=0)
    )
    used_total, used_today = db.session.execute(
        select(func.count(Attempt.id), func.coalesce(started_today, 0)).where(
            Attempt.contest_id == contest.id, Attempt.user_id == user.id
        )
    ).one()
    return rounds.attempt_allowance(
        used_total, used_today, contest.max_attempts_total, contest.max_attempts_per_day
    )


@dataclass(frozen=True)
class RoundStatus:
    """Where a participant stands in a contest: the round in progress (its id), the
    allowance, and how many rounds they started in the pace limit's window up to now."""

    running_id: int | None
    allowance: rounds.Allowance
    started_in_pace_window: int


_STATUS = select(
    func.count(Attempt.id),
    func.coalesce(
        func.sum(
            case(
                (
                    and_(
                        Attempt.started_at >= bindparam("day_start"),
                        Attempt.started_at < bindparam("day_end"),
                    ),
                    1,
                ),
                else_=0,
            )
        ),
        0,
    ),
    func.count(case((Attempt.started_at > bindparam("pace_since"), 1))),
    func.max(case((Attempt.state == AttemptState.ACTIVE, Attempt.id))),
    func.max(case((Attempt.state == AttemptState.ACTIVE, Attempt.deadline_at))),
).where(Attempt.contest_id == bindparam("contest_id"), Attempt.user_id == bindparam("user_id"))


def round_status(contest: Contest, user: User, now: datetime, timezone: ZoneInfo) -> RoundStatus:
    """running_attempt, allowance and the pace limit's count in one statement: the API's
    contest and start. A running round whose time has run out is graded first (not running)."""
    db.session.flush()  # a Core statement: nothing pending may be left out
    day_start, day_end = rounds.local_day_bounds(now, timezone)
    used_total, used_today, in_window, running_id, deadline_at = (
        db.session.connection()
        .execute(
            _STATUS,
            {
                "contest_id": contest.id,
                "user_id": user.id,
                "day_start": day_start,
                "day_end": day_end,
                "pace_since": now - pace.PACE_WINDOW,
            },
        )
        .one()
    )
    if running_id is not None and rounds.is_overdue(
        deadline_at, contest.submission_grace_seconds, now
    ):
        running = db.session.get(Attempt, running_id)
        if running is not None and grade_if_overdue(running, now):
            running_id = None
    allowance = rounds.attempt_allowance(
        used_total, used_today, contest.max_attempts_total, contest.max_attempts_per_day
    )
    return RoundStatus(running_id, allowance, in_window)


def next_round_at(
    contest: Contest, allowance: rounds.Allowance, now: datetime, timezone: ZoneInfo
) -> datetime | None:
    """When a participant whose rounds are spent may start one again (None: not in this quiz)."""
    _, day_end = rounds.local_day_bounds(now, timezone)
    return rounds.next_round_at(allowance, day_end, contest.quiz_closes_at)


def next_start_at(contest: Contest, user: User, now: datetime) -> datetime | None:
    """When the pace limit lets the participant start another round (None: now), from their
    own rounds in the database, so the limit holds across workers and restarts."""
    limit = contest.max_starts_per_hour
    if limit is None:
        return None
    recent = db.session.scalars(
        select(Attempt.started_at)
        .where(
            Attempt.contest_id == contest.id,
            Attempt.user_id == user.id,
            Attempt.started_at > now - pace.PACE_WINDOW,
        )
        .order_by(Attempt.started_at.desc())
        .limit(limit)
    )
    return pace.next_start_allowed_at(recent, limit, now)


def pace_standing(
    contest: Contest, user: User, now: datetime, started_in_hour: int
) -> pace.PaceAllowance:
    """pace_allowance, from the rounds started in the hour as round_status counted them: the
    start times are read only when the limit is reached (for when the next may start)."""
    limit = contest.max_starts_per_hour
    if limit is None:
        return pace.PaceAllowance(None, started_in_hour, None, None)
    if started_in_hour < limit:
        return pace.PaceAllowance(limit, started_in_hour, limit - started_in_hour, None)
    return pace_allowance(contest, user, now)


def pace_allowance(contest: Contest, user: User, now: datetime) -> pace.PaceAllowance:
    """The participant's standing against the contest's pace limit (rounds started in the
    hour, how many may still start, and when the next may if none)."""
    recent = db.session.scalars(
        select(Attempt.started_at).where(
            Attempt.contest_id == contest.id,
            Attempt.user_id == user.id,
            Attempt.started_at > now - pace.PACE_WINDOW,
        )
    )
    return pace.pace_allowance(recent, contest.max_starts_per_hour, now)


def pace_refusal(contest: Contest, user: User, now: datetime) -> PaceLimited | None:
    """The refusal a start would meet now under the pace limit (None: a start is allowed)."""
    allowed_at = next_start_at(contest, user, now)
    return None if allowed_at is None else PaceLimited(allowed_at, contest.max_starts_per_hour)


@dataclass(frozen=True)
class SheetQuestion:
    """A served question as its round shows it: the text, the choices in the round's order,
    the correct choice, the characters of the stem and every choice, and when the client first
    reported it on screen (the last two for plausibility)."""

    question_id: int
    position: int
    text: str
    choices: tuple[tuple[int, str], ...]  # (choice id, text)
    correct_choice_id: int | None
    reading_chars: int
    shown_at: datetime | None = None


@dataclass(frozen=True)
class SheetAnswer:
    """A saved answer: the choice, its last save and its first (None: saved before kept)."""

    choice_id: int
    saved_at: datetime
    first_saved_at: datetime | None


@dataclass(frozen=True)
class RoundSheet:
    """A round's questions, choices, key and saved answers, read once (two statements) for
    its grading, its plausibility checks and the API's reply alike."""

    questions: tuple[SheetQuestion, ...]
    answers: Mapping[int, SheetAnswer]

    def answer_key(self) -> dict[int, int]:
        """The correct choice of each question served in the round."""
        return {
            question.question_id: question.correct_choice_id
            for question in self.questions
            if question.correct_choice_id is not None
        }


@dataclass(frozen=True)
class _Material:
    """A question as stored: its text and its choices (id, text, correct) in stored order."""

    text: str
    choices: tuple[tuple[int, str, bool], ...]

    @property
    def reading_chars(self) -> int:
        return len(self.text) + sum(len(text) for _, text, _ in self.choices)

    def sheet_question(
        self, question_id: int, position: int, order: list[int], shown_at: datetime | None = None
    ) -> SheetQuestion:
        texts = {choice_id: text for choice_id, text, _ in self.choices}
        correct = [choice_id for choice_id, _, is_correct in self.choices if is_correct]
        return SheetQuestion(
            question_id,
            position,
            self.text,
            tuple((choice_id, texts[choice_id]) for choice_id in order),
            correct[-1] if correct else None,
            self.reading_chars,
            shown_at,
        )


_MATERIAL = (
    select(Question.id, Question.text, Choice.id, Choice.text, Choice.is_correct)
    .outerjoin(Choice, Choice.question_id == Question.id)
    .where(Question.id.in_(bindparam("question_ids", expanding=True)))
    .order_by(Question.id, Choice.position, Choice.id)
)


def _material(question_ids: list[int]) -> dict[int, _Material]:
    """The questions' texts and choices, in one statement."""
    found: dict[int, tuple[str, list]] = {}
    rows = db.session.connection().execute(_MATERIAL, {"question_ids": question_ids}).all()
    for question_id, stem, choice_id, choice_text, is_correct in rows:
        _, choices = found.setdefault(question_id, (stem, []))
        if choice_id is not None:
            choices.append((choice_id, choice_text, bool(is_correct)))
    return {qid: _Material(stem, tuple(choices)) for qid, (stem, choices) in found.items()}


_SERVED = (
    select(
        ServedQuestion.question_id,
        ServedQuestion.position,
        ServedQuestion.choice_order,
        ServedQuestion.shown_at,
        Question.text,
        Choice.id,
        Choice.text,
        Choice.is_correct,
    )
    .join(Question, Question.id == ServedQuestion.question_id)
    .outerjoin(Choice, Choice.question_id == ServedQuestion.question_id)
    .where(ServedQuestion.attempt_id == bindparam("attempt_id"))
    .order_by(ServedQuestion.position, Choice.position, Choice.id)
)
_ANSWERS = select(
    Answer.question_id, Answer.choice_id, Answer.saved_at, Answer.first_saved_at
).where(Answer.attempt_id == bindparam("attempt_id"))


def read_sheet(attempt: Attempt) -> RoundSheet:
    """The round's questions with their texts, choices and key, and its saved answers."""
    connection = db.session.connection()
    served: dict[int, tuple[int, str, datetime | None, str, list]] = {}
    rows = connection.execute(_SERVED, {"attempt_id": attempt.id}).all()
    for question_id, position, order, shown_at, stem, choice_id, choice_text, correct in rows:
        *_, choices = served.setdefault(question_id, (position, order, shown_at, stem, []))
        if choice_id is not None:
            choices.append((choice_id, choice_text, bool(correct)))
    questions = tuple(
        _Material(stem, tuple(choices)).sheet_question(
            question_id, position, [int(part) for part in order.split(",")], shown_at
        )
        for question_id, (position, order, shown_at, stem, choices) in served.items()
    )
    answers = {
        question_id: SheetAnswer(choice_id, saved_at, first_saved_at)
        for question_id, choice_id, saved_at, first_saved_at in connection.execute(
            _ANSWERS, {"attempt_id": attempt.id}
        )
    }
    return RoundSheet(questions, answers)


_INSERT_ATTEMPT = Attempt.__table__.insert().returning(Attempt.__table__.c.id)
_INSERT_SERVED = ServedQuestion.__table__.insert()


def start_round(
    contest: Contest,
    user: User,
    now: datetime,
    timezone: ZoneInfo,
    rng: random.Random,
    device_id: str | None = None,
    client_address: str | None = None,
) -> tuple[Attempt, RoundSheet]:
    """Start a round: check the window and the limits, draw the questions, stamp the clock.

    Returns the new round, not attached to the session (its rows are written with two
    INSERTs, not the ORM's unit of work), and its sheet. `device_id` (the site's device
    cookie) and `client_address` are kept for the plausibility checks at grading
    (contest.quiz.plausibility).
    """
    contest.refuse_if_archived(now)
    if not user.has_role(Role.PARTICIPANT):
        raise NotAParticipant()
    if not contest.quiz_is_open(now):
        raise QuizClosed()
    status = round_status(contest, user, now, timezone)
    if status.running_id is not None:
        raise RoundInProgress(status.running_id)
    if status.allowance.exhausted:
        raise NoAttemptsLeft()
    limit = contest.max_starts_per_hour
    if limit is not None and status.started_in_pace_window >= limit:
        refusal = pace_refusal(contest, user, now)
        if refusal is not None:
            raise refusal
    try:
        picked = pick_questions(
            question_pool(), _seen_question_ids(user), contest.draw_rules(), rng
        )
    except RulesNotSatisfiable as error:
        raise BankTooSmall() from error
    material = _material(picked)
    candidates = [
        Candidate(question_id, tuple(choice[0] for choice in material[question_id].choices))
        for question_id in picked
    ]
    drawn = serve_round(candidates, rng)
    values = {
        "contest_id": contest.id,
        "user_id": user.id,
        "state": AttemptState.ACTIVE,
        "started_at": now,
        "deadline_at": rounds.round_deadline(
            now, contest.round_time_limit_seconds, contest.quiz_closes_at
        ),
        "question_count": len(drawn),
        "device_id": device_id,
        "client_address": client_address,
    }
    connection = db.session.connection()
    try:
        attempt_id = connection.execute(_INSERT_ATTEMPT, values).scalar_one()
    except IntegrityError:
        # A parallel request of the same participant started a round first.
        db.session.rollback()
        running = active_attempt(contest, user)
        raise RoundInProgress(running.id if running else None) from None
    connection.execute(
        _INSERT_SERVED,
        [
            {
                "attempt_id": attempt_id,
                "question_id": item.question_id,
                "position": item.position,
                "choice_order": ",".join(str(choice_id) for choice_id in item.choice_ids),
            }
            for item in drawn
        ],
    )
    sheet = RoundSheet(
        tuple(
            material[item.question_id].sheet_question(
                item.question_id, item.position, list(item.choice_ids)
            )
            for item in drawn
        ),
        {},
    )
    return Attempt(id=attempt_id, **values), sheet


def start_attempt(
    contest: Contest,
    user: User,
    now: datetime,
    timezone: ZoneInfo,
    rng: random.Random,
    device_id: str | None = None,
    client_address: str | None = None,
) -> Attempt:
    """start_round, returning the new round as loaded in the session (with its questions)."""
    started, _ = start_round(contest, user, now, timezone, rng, device_id, client_address)
    return db.session.get(Attempt, started.id)


_SEEN = (
    select(ServedQuestion.question_id)
    .join(Attempt, Attempt.id == ServedQuestion.attempt_id)
    .where(Attempt.user_id == bindparam("user_id"))
)


def _seen_question_ids(user: User) -> set[int]:
    return set(db.session.connection().execute(_SEEN, {"user_id": user.id}).scalars().all())


_SAVE_ANSWER_SQL = """
INSERT INTO answers (attempt_id, question_id, choice_id, saved_at, first_saved_at)
SELECT a.id, sq.question_id, :choice_id, :now, :now
FROM attempts a
JOIN served_questions sq ON sq.attempt_id = a.id AND sq.question_id = :question_id
JOIN users u ON u.id = a.user_id
WHERE a.id = :attempt_id AND a.user_id = :user_id AND u.is_active_account
  AND u.session_version = :session_version
  AND a.state = 'active' AND a.deadline_at >= :now
  AND ',' || sq.choice_order || ',' LIKE :choice_pattern
{lock}
ON CONFLICT (attempt_id, question_id)
DO UPDATE SET choice_id = excluded.choice_id, saved_at = excluded.saved_at
"""
# A changed answer keeps its first save (first_saved_at): the plausibility checks judge when
# the question was first answered, which later changes cannot move.
# PostgreSQL: the share lock waits for a submission grading this round, then sees it graded;
# a submission waits for the saves that hold it. SQLite serialises every writer anyway.
_SAVE_ANSWER = {
    dialect: text(_SAVE_ANSWER_SQL.format(lock=lock)).bindparams(
        bindparam("now", type_=UTCDateTime())
    )
    for dialect, lock in (("postgresql", "FOR SHARE OF a"), ("sqlite", ""))
}


def save_answer(
    attempt_id: int,
    user_id: int,
    question_id: int,
    choice_id: int,
    now: datetime,
    session_version: int,
) -> bool:
    """Save (or change) one answer of the participant's running round in one statement.

    True when saved; False when the round, the question or the choice does not allow it
    (explain_refused_save then tells why), or when the session is no longer the user's
    (an inactive account, or a session version revoked since). This is the hottest path of a
    contest: it loads nothing and checks the session, ownership, the clock and the choice in
    the database.
    """
    # Core on the session's own connection and transaction: the ORM has nothing to add here.
    connection = db.session.connection()
    saved = connection.execute(
        _SAVE_ANSWER[connection.dialect.name],
        {
            "attempt_id": attempt_id,
            "user_id": user_id,
            "session_version": session_version,
            "question_id": question_id,
            "choice_id": choice_id,
            "now": now,
            "choice_pattern": f"%,{choice_id},%",
        },
    ).rowcount
    return saved == 1


def explain_refused_save(attempt: Attempt, question_id: int, choice_id: int, now: datetime):
    """Raise the QuizError that says why save_answer refused (grading an overdue round)."""
    if not attempt.is_active or not rounds.accepts_answers(attempt.deadline_at, now):
        grade_if_overdue(attempt, now)
        raise RoundClosed(attempt.id)
    served = db.session.scalars(
        select(ServedQuestion).where(
            ServedQuestion.attempt_id == attempt.id, ServedQuestion.question_id == question_id
        )
    ).first()
    if served is None:
        raise QuestionNotInRound(attempt.id)
    if choice_id not in served.choice_ids:
        raise InvalidChoice(attempt.id)
    raise RoundClosed(attempt.id)  # graded by a concurrent request in the meantime


# A report names at most this many questions: a round has far fewer.
SHOWN_REPORT_MAX = 100


def record_shown(attempt: Attempt, question_ids: list[int], now: datetime) -> dict[int, datetime]:
    """Record that the round's questions reached the participant's screen, at `now`; the first
    report of a question wins (a repeated report changes nothing). Returns when each of them
    was first shown.

    The report comes from the client and is evidence only (contest.domain.plausibility): the
    server's clock at its arrival, never a time the client states. Refused (RoundClosed) once
    the round accepts no answers, and for a question not in the round (QuestionNotInRound).
    """
    if not attempt.is_active or not rounds.accepts_answers(attempt.deadline_at, now):
        grade_if_overdue(attempt, now)
        raise RoundClosed(attempt.id)
    wanted = set(question_ids)
    known = dict(
        db.session.execute(
            select(ServedQuestion.question_id, ServedQuestion.shown_at).where(
                ServedQuestion.attempt_id == attempt.id, ServedQuestion.question_id.in_(wanted)
            )
        ).all()
    )
    if set(known) != wanted:
        raise QuestionNotInRound(attempt.id)
    first_reports = [question_id for question_id, shown_at in known.items() if shown_at is None]
    if first_reports:
        # A guarded UPDATE: of two racing reports, the first to write keeps its moment (the
        # other's reply may say its own, a moment later; the stored one stands).
        db.session.execute(
            update(ServedQuestion)
            .where(
                ServedQuestion.attempt_id == attempt.id,
                ServedQuestion.question_id.in_(first_reports),
                ServedQuestion.shown_at.is_(None),
            )
            .values(shown_at=now)
            .execution_options(synchronize_session=False)
        )
    return {question_id: shown_at or now for question_id, shown_at in known.items()}


def submit_attempt(attempt: Attempt, now: datetime) -> Attempt:
    """Grade a round at the participant's request; a second call changes nothing."""
    submit_round(attempt, now)
    return attempt


def submit_round(attempt: Attempt, now: datetime) -> RoundSheet:
    """submit_attempt, returning the round's sheet as graded (read once, for the reply)."""
    if attempt.is_active:
        grace = attempt.contest.submission_grace_seconds
        overdue = rounds.is_overdue(attempt.deadline_at, grace, now)
        sheet = _grade(attempt, now, AttemptState.EXPIRED if overdue else AttemptState.SUBMITTED)
        if sheet is not None:
            return sheet
    return read_sheet(attempt)


def grade_if_overdue(attempt: Attempt, now: datetime) -> bool:
    """Grade a round whose deadline and grace have passed; True when it is (now) graded."""
    if not attempt.is_active:
        return True
    if not rounds.is_overdue(attempt.deadline_at, attempt.contest.submission_grace_seconds, now):
        return False
    _grade(attempt, now, AttemptState.EXPIRED)
    return True


def refit_running_rounds(contest: Contest, now: datetime) -> int:
    """Give the contest's running rounds the deadline a moved quiz close implies; how many moved.

    A round cut at the old close gets its time back when the close is extended; a round that
    would outlast an earlier close is cut at it (or at `now`, if the new close has passed).
    """
    running = db.session.scalars(
        select(Attempt).where(
            Attempt.contest_id == contest.id, Attempt.state == AttemptState.ACTIVE
        )
    ).all()
    moved = 0
    for attempt in running:
        deadline = rounds.refitted_deadline(
            attempt.started_at,
            contest.round_time_limit_seconds,
            contest.quiz_closes_at,
            attempt.deadline_at,
            now,
        )
        if deadline != attempt.deadline_at:
            attempt.deadline_at = deadline
            moved += 1
    db.session.flush()
    return moved


def expire_overdue_attempts(now: datetime, batch_size: int = 500) -> int:
    """Grade every running round whose deadline and grace have passed; return how many this
    call graded (not those a concurrent request or sweep graded first)."""
    overdue = db.session.scalars(
        select(Attempt)
        .where(Attempt.state == AttemptState.ACTIVE, Attempt.deadline_at < now)
        .order_by(Attempt.deadline_at)
        .limit(batch_size)
    ).all()
    return sum(
        1
        for attempt in overdue
        if rounds.is_overdue(attempt.deadline_at, attempt.contest.submission_grace_seconds, now)
        and _grade(attempt, now, AttemptState.EXPIRED) is not None
    )


_attempts = Attempt.__table__.c
_CLAIM = (
    Attempt.__table__.update()
    .where(_attempts.id == bindparam("attempt_id"), _attempts.state == AttemptState.ACTIVE)
    .values(state=bindparam("new_state"), submitted_at=bindparam("new_submitted_at"))
)
_RECORD_GRADE = (
    Attempt.__table__.update()
    .where(_attempts.id == bindparam("attempt_id"))
    .values(
        correct_count=bindparam("new_correct_count"),
        finished_at=bindparam("new_finished_at"),
        duration_ms=bindparam("new_duration_ms"),
    )
)


def _grade(attempt: Attempt, now: datetime, state: AttemptState) -> RoundSheet | None:
    """Grade the round; its sheet as graded when this call did, None when a concurrent one
    did (its result stands)."""
    db.session.flush()  # the statements below are Core: nothing pending may be left behind
    connection = db.session.connection()
    # Claiming the round in one guarded UPDATE takes its lock before the answers are read.
    submitted_at = now if state is AttemptState.SUBMITTED else None
    claimed = connection.execute(
        _CLAIM, {"attempt_id": attempt.id, "new_state": state, "new_submitted_at": submitted_at}
    ).rowcount
    if not claimed:
        db.session.refresh(attempt)
        return None  # graded by a concurrent request; its result stands
    # What the UPDATEs store is recorded as loaded, so no flush writes it again.
    set_committed_value(attempt, "state", state)
    set_committed_value(attempt, "submitted_at", submitted_at)
    sheet = read_sheet(attempt)
    saved = {
        question_id: rounds.SavedAnswer(answer.choice_id, answer.saved_at)
        for question_id, answer in sheet.answers.items()
    }
    grade = rounds.grade_round(
        attempt.started_at, attempt.deadline_at, now, sheet.answer_key(), saved
    )
    connection.execute(
        _RECORD_GRADE,
        {
            "attempt_id": attempt.id,
            "new_correct_count": grade.correct_count,
            "new_finished_at": grade.finished_at,
            "new_duration_ms": grade.duration_ms,
        },
    )
    set_committed_value(attempt, "correct_count", grade.correct_count)
    set_committed_value(attempt, "finished_at", grade.finished_at)
    set_committed_value(attempt, "duration_ms", grade.duration_ms)
    review = plausibility.flag_round(attempt, sheet.questions, sheet.answers, now)
    # A decision on this participant's rounds (an exclusion among them) is committed before
    # the check below, or waits for this grading to commit.
    plausibility.lock_participant_ranking(attempt.contest_id, attempt.user_id)
    if plausibility.is_ranked(attempt, review):
        record_best_round(attempt)
    return sheet


def record_best_round(attempt: Attempt) -> None:
    """Keep the graded round as its participant's best if it beats the one kept (one upsert).

    The comparison is contest.domain.ranking's order of rounds, written in SQL: the database
    row, locked by the upsert, is what a concurrent grading of the same participant compares to.
    """
    values = {
        "contest_id": attempt.contest_id,
        "user_id": attempt.user_id,
        "attempt_id": attempt.id,
        "correct_count": attempt.correct_count,
        "question_count": attempt.question_count,
        "duration_ms": attempt.duration_ms,
        "finished_at": attempt.finished_at,
        # The unit as the database has it now, read by the upsert itself.
        "unit_id": select(User.unit_id).where(User.id == attempt.user_id).scalar_subquery(),
    }
    insert = _DIALECT_INSERT[db.session.get_bind().dialect.name](BestRound).values(values)
    new, kept = insert.excluded, BestRound.__table__.c
    better = or_(
        new.correct_count > kept.correct_count,
        and_(
            new.correct_count == kept.correct_count,
            or_(
                new.duration_ms < kept.duration_ms,
                and_(
                    new.duration_ms == kept.duration_ms,
                    or_(
                        new.finished_at < kept.finished_at,
                        and_(new.finished_at == kept.finished_at, new.attempt_id < kept.attempt_id),
                    ),
                ),
            ),
        ),
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[kept.contest_id, kept.user_id],
            set_={
                name: getattr(new, name) for name in values if name not in ("contest_id", "user_id")
            },
            where=better,
        )
    )


_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def rebuild_best_rounds(contest_id: int, user_id: int | None = None) -> None:
    """Fill the contest's best rounds from its ranked graded rounds (rounds loaded in bulk);
    only `user_id`'s when given (after an organizer's decision on one of their rounds).

    The participant's row is locked first (PostgreSQL): a round of theirs graded meanwhile
    waits, then compares itself to the row written here.
    """
    only = [] if user_id is None else [Attempt.user_id == user_id]
    if user_id is not None:
        db.session.execute(
            select(BestRound.user_id)
            .where(BestRound.contest_id == contest_id, BestRound.user_id == user_id)
            .with_for_update()
        )
    numbered = (
        select(
            Attempt.contest_id,
            Attempt.user_id,
            Attempt.id.label("attempt_id"),
            Attempt.correct_count,
            Attempt.question_count,
            Attempt.duration_ms,
            Attempt.finished_at,
            User.unit_id,
            func.row_number()
            .over(
                partition_by=Attempt.user_id,
                order_by=(
                    Attempt.correct_count.desc(),
                    Attempt.duration_ms,
                    Attempt.finished_at,
                    Attempt.id,
                ),
            )
            .label("nth"),
        )
        .join(User, User.id == Attempt.user_id)
        .where(
            Attempt.contest_id == contest_id,
            Attempt.state.in_(GRADED_STATES),
            plausibility.ranked_round_clause(),
            *only,
        )
        .subquery()
    )
    columns = [c for c in numbered.c if c.name != "nth"]
    kept = [BestRound.user_id == user_id] if user_id is not None else []
    db.session.execute(delete(BestRound).where(BestRound.contest_id == contest_id, *kept))
    db.session.execute(
        BestRound.__table__.insert().from_select(
            [c.name for c in columns], select(*columns).where(numbered.c.nth == 1)
        )
    )


def answer_key(attempt: Attempt) -> dict[int, int]:
    """The correct choice of each question served in the round."""
    return dict(
        db.session.execute(
            select(ServedQuestion.question_id, Choice.id)
            .join(Choice, Choice.question_id == ServedQuestion.question_id)
            .where(ServedQuestion.attempt_id == attempt.id, Choice.is_correct.is_(True))
        ).all()
    )


def attempts_of(contest: Contest, user: User) -> list[Attempt]:
    """The participant's rounds in this contest, newest first."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.contest_id == contest.id, Attempt.user_id == user.id)
            .order_by(Attempt.started_at.desc())
        )
    )


class NoPredictionQuestion(QuizError):
    code = "no_prediction_question"
    message = _l("This contest has no prediction question.")


def prediction_of(contest: Contest, user: User) -> Prediction | None:
    """The participant's answer to the prediction question, if given."""
    return db.session.get(Prediction, (contest.id, user.id))


def save_prediction(contest: Contest, user: User, value: int, now: datetime) -> Prediction:
    """Give or change the participant's prediction while the quiz is open (the last one counts)."""
    if not user.has_role(Role.PARTICIPANT):
        raise NotAParticipant()
    if not contest.prediction_question:
        raise NoPredictionQuestion()
    if not contest.quiz_is_open(now):
        raise QuizClosed()
    prediction = prediction_of(contest, user) or Prediction(contest_id=contest.id, user_id=user.id)
    prediction.value, prediction.made_at = value, now
    db.session.add(prediction)
    db.session.flush()
    return prediction
