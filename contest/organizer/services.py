"""What the organizers see of a running contest."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from contest.domain.prizes import (
    EligibilityOptions,
    PrizeTier,
    ScoreWeights,
    validate_prize_table,
)
from contest.domain.rounds import local_day_bounds
from contest.errors import Refused
from contest.extensions import db
from contest.models import (
    ENTERED_STATES,
    GRADED_STATES,
    Attempt,
    AttemptState,
    AuditEntry,
    BestRound,
    Contest,
    ContestDocument,
    ParticipatingUnit,
    PrizeTierRow,
    Question,
    Role,
    Score,
    ScoreState,
    Unit,
    UnitGroup,
    User,
    UserRole,
    Video,
    VideoState,
)
from contest.models.audit import record
from contest.quiz.services import refit_running_rounds
from contest.results.standings import prize_table
from contest.results.workflow import current_snapshot


@dataclass(frozen=True)
class ContestOverview:
    units: int
    participants_registered: int
    participants_played: int
    rounds_started: int
    rounds_running: int
    rounds_graded: int
    active_questions: int
    videos_ready: int
    units_with_video: int
    scores_submitted: int  # sheets scored and submitted
    conflicts_declared: int  # judges who abstained: not a score


@dataclass(frozen=True)
class SiteStart:
    """What a new site already holds, for the organizers' first steps."""

    units: int
    active_questions: int
    accounts: int  # everyone but organizers


def site_start() -> SiteStart:
    """Counts of the active units, active current questions and non-organizer accounts."""
    organizers = select(UserRole.user_id).where(UserRole.role == Role.ORGANIZER)
    return SiteStart(
        units=db.session.scalar(select(func.count(Unit.id)).where(Unit.active.is_(True))),
        active_questions=db.session.scalar(
            select(func.count(Question.id)).where(
                Question.active.is_(True), Question.is_current_clause()
            )
        ),
        accounts=db.session.scalar(select(func.count(User.id)).where(User.id.not_in(organizers))),
    )


def contest_overview(contest: Contest) -> ContestOverview:
    """Counts for the organizer's overview of one contest."""

    def count(statement) -> int:
        return db.session.scalar(statement) or 0

    in_contest = Attempt.contest_id == contest.id
    return ContestOverview(
        units=count(select(func.count()).where(ParticipatingUnit.contest_id == contest.id)),
        participants_registered=count(
            select(func.count(User.id))
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.PARTICIPANT)
        ),
        participants_played=count(
            select(func.count(func.distinct(Attempt.user_id))).where(in_contest)
        ),
        rounds_started=count(select(func.count(Attempt.id)).where(in_contest)),
        rounds_running=count(
            select(func.count(Attempt.id)).where(in_contest, Attempt.state == AttemptState.ACTIVE)
        ),
        rounds_graded=count(
            select(func.count(Attempt.id)).where(in_contest, Attempt.state != AttemptState.ACTIVE)
        ),
        active_questions=count(select(func.count(Question.id)).where(Question.active.is_(True))),
        videos_ready=count(
            select(func.count(Video.id)).where(
                Video.contest_id == contest.id, Video.state == VideoState.READY
            )
        ),
        units_with_video=count(
            select(func.count(func.distinct(Video.unit_id))).where(
                Video.contest_id == contest.id,
                Video.state.in_(ENTERED_STATES),
            )
        ),
        scores_submitted=count(
            select(func.count(Score.id))
            .join(Video)
            .where(Video.contest_id == contest.id, Score.state == ScoreState.SUBMITTED)
        ),
        conflicts_declared=count(
            select(func.count(Score.id))
            .join(Video)
            .where(Video.contest_id == contest.id, Score.state == ScoreState.CONFLICT)
        ),
    )


def audit_entries(contest: Contest, limit: int, offset: int = 0) -> list[AuditEntry]:
    """The organizers' actions on this contest, newest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.contest_id == contest.id)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(query))


# What an audit entry's target ("kind:id") is called, by kind: the row's own name, read in one
# query per kind for a page of entries. A row since deleted keeps the kind's name and its id.
TARGET_NAMES = {
    "contest": (Contest, lambda row: row.name),
    "unit": (Unit, lambda row: row.name),
    "unit_group": (UnitGroup, lambda row: row.name),
    "user": (User, lambda row: row.full_name),
    "video": (Video, lambda row: _l("Video «%(title)s»", title=row.title)),
    "document": (ContestDocument, lambda row: _l("Document «%(title)s»", title=row.title)),
}
TARGET_KINDS = {
    "contest": _l("Contest no. %(id)s"),
    "unit": _l("Unit no. %(id)s"),
    "unit_group": _l("Unit group no. %(id)s"),
    "user": _l("Account no. %(id)s"),
    "video": _l("Video no. %(id)s"),
    "document": _l("Document no. %(id)s"),
    "snapshot": _l("Results snapshot no. %(id)s"),
    "score": _l("Score sheet no. %(id)s"),
    "tie": _l("Tie %(id)s"),
}


def audit_target_names(entries: list[AuditEntry]) -> dict[str, str]:
    """Each entry's target ("contest:1") as people read it ("Hội thi …", "Ảnh chụp kết quả
    số 1"); a target of an unknown kind stays as it is."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        kind, _sep, key = (entry.target or "").partition(":")
        if kind in TARGET_NAMES and key.isdigit():
            wanted.setdefault(kind, set()).add(int(key))
    names = {}
    for kind, ids in wanted.items():
        model, name_of = TARGET_NAMES[kind]
        for row in db.session.scalars(select(model).where(model.id.in_(ids))):
            names[f"{kind}:{row.id}"] = str(name_of(row))
    for entry in entries:
        kind, _sep, key = (entry.target or "").partition(":")
        if entry.target and entry.target not in names and kind in TARGET_KINDS:
            names[entry.target] = str(TARGET_KINDS[kind] % {"id": key})
    return names


WINDOW_FIELDS = (
    "quiz_opens_at",
    "quiz_closes_at",
    "video_opens_at",
    "video_closes_at",
    "results_publish_at",
)


class WindowsRefused(Refused):
    code, status = "windows_refused", 422
    message = _l("A window must close after it opens.")


def check_windows(windows: dict[str, datetime | None]) -> None:
    """Refuse a window that closes before it opens, or a video window with one end only."""
    if windows["quiz_opens_at"] >= windows["quiz_closes_at"]:
        raise WindowsRefused()
    video = windows["video_opens_at"], windows["video_closes_at"]
    if (video[0] is None) != (video[1] is None) or (video[0] and video[0] >= video[1]):
        raise WindowsRefused(_l("Give the video window both ends, the close after the open."))


def change_windows(
    contest: Contest, windows: dict[str, datetime | None], actor: User, now: datetime
) -> None:
    """Move the contest's windows (a deadline extension by notice, say); logged. Whether a
    window is open is computed from these timestamps, so only the running rounds, whose
    deadlines are cut at the quiz close, need to follow."""
    contest.refuse_if_archived(now)
    check_windows(windows)
    changes = {}
    for name in WINDOW_FIELDS:
        before, after = getattr(contest, name), windows[name]
        if _to_the_minute(before) != _to_the_minute(after):  # the form shows minutes
            changes[name] = [_iso(before), _iso(after)]
            setattr(contest, name, after)
    if "quiz_closes_at" in changes:
        refit_running_rounds(contest, now)
    if changes:
        record("windows_changed", actor, contest.id, f"contest:{contest.id}", now, **changes)
    db.session.flush()


def _to_the_minute(moment: datetime | None) -> datetime | None:
    return moment.replace(second=0, microsecond=0) if moment else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class UnitParticipation:
    unit: Unit
    participants: int
    headcount: int  # the contest's headcount for the unit

    @property
    def rate(self) -> float:
        """Participants over headcount, capped at 1 (as the unit score counts it)."""
        return min(1.0, self.participants / self.headcount) if self.headcount else 0.0


def participation_by_unit(contest: Contest) -> list[UnitParticipation]:
    """Each participating unit's participants (with at least one graded round) against the
    contest's headcount, highest rate first."""
    played = (
        select(BestRound.unit_id, func.count().label("people"))
        .where(BestRound.contest_id == contest.id)
        .group_by(BestRound.unit_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Unit, func.coalesce(played.c.people, 0), ParticipatingUnit.headcount)
        .join(ParticipatingUnit, ParticipatingUnit.unit_id == Unit.id)
        .where(ParticipatingUnit.contest_id == contest.id)
        .outerjoin(played, played.c.unit_id == Unit.id)
    ).all()
    lines = [UnitParticipation(unit, people, headcount) for unit, people, headcount in rows]
    return sorted(lines, key=lambda line: (-line.rate, line.unit.code))


def rounds_per_day(contest: Contest, zone: ZoneInfo) -> list[tuple[date, int]]:
    """Graded rounds per local day of their finish, oldest first (days with none left out).

    Counted in the database, one column per local day of the quiz window (its bounds come
    from the zone, so a day is a calendar day wherever the contest runs).
    """
    first = contest.quiz_opens_at.astimezone(zone).date()
    last = contest.quiz_closes_at.astimezone(zone).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    bounds = [local_day_bounds(datetime.combine(day, time(12), zone), zone) for day in days]
    finished = Attempt.finished_at
    counts = db.session.execute(
        select(
            *(
                func.sum(case((and_(finished >= start, finished < end), 1), else_=0))
                for start, end in bounds
            )
        ).where(Attempt.contest_id == contest.id, Attempt.state.in_(GRADED_STATES))
    ).one()
    return [(day, int(count)) for day, count in zip(days, counts, strict=True) if count]


def absent_members(unit: Unit, contest: Contest) -> list[User]:
    """The unit's participants who have not finished a round yet."""
    played = select(BestRound.user_id).where(BestRound.contest_id == contest.id)
    query = (
        select(User)
        .join(UserRole)
        .where(
            User.unit_id == unit.id,
            UserRole.role == Role.PARTICIPANT,
            User.is_active_account.is_(True),
            User.id.not_in(played),
        )
        .order_by(User.full_name, User.id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ResultsRules:
    """How a contest ranks and rewards, as the organizers set it."""

    weights: ScoreWeights
    options: EligibilityOptions
    tiers: list[PrizeTier]
    prediction_question: str | None
    prediction_true_value: int | None


class RulesRefused(Refused):
    code, status = "rules_refused", 422
    message = _l("These rules cannot be saved.")


def current_rules(contest: Contest) -> ResultsRules:
    """The contest's rules as they stand."""
    return ResultsRules(
        weights=ScoreWeights(
            contest.weight_participation, contest.weight_accuracy, contest.weight_video
        ),
        options=EligibilityOptions(
            contest.unit_prize_requires_video,
            contest.max_individual_prizes_per_unit,
            contest.min_participation_percent,
        ),
        tiers=prize_table(contest),
        prediction_question=contest.prediction_question,
        prediction_true_value=contest.prediction_true_value,
    )


def change_results_rules(contest: Contest, rules: ResultsRules, actor: User, now: datetime) -> None:
    """Set the weights, eligibility, prize table and prediction question (logged).

    Refused while approved results are frozen (reopen them first), and the prediction's true
    value only once the quiz has closed: it is a fact about the finished contest.
    """
    if current_snapshot(contest) is not None:
        raise RulesRefused(_l("The results are approved: reopen them before changing the rules."))
    if rules.prediction_true_value is not None and now < contest.quiz_closes_at:
        raise RulesRefused(_l("The prediction's true value is entered after the quiz closes."))
    if rules.prediction_true_value is not None and not rules.prediction_question:
        raise RulesRefused(_l("A true value needs a prediction question."))
    try:
        validate_prize_table(rules.tiers)
    except ValueError:
        raise RulesRefused(_l("Two prizes of the same kind have the same name.")) from None
    before = _rules_record(current_rules(contest))
    contest.weight_participation = rules.weights.participation
    contest.weight_accuracy = rules.weights.accuracy
    contest.weight_video = rules.weights.video
    contest.unit_prize_requires_video = rules.options.unit_requires_video
    contest.max_individual_prizes_per_unit = rules.options.max_individual_prizes_per_unit
    contest.min_participation_percent = rules.options.min_participation_percent
    contest.prediction_question = rules.prediction_question
    contest.prediction_true_value = rules.prediction_true_value
    contest.prize_table = []
    db.session.flush()  # the old rows go first: the new ones take their (category, position)
    contest.prize_table = [
        PrizeTierRow(
            category=tier.category,
            name=tier.name,
            prize_count=tier.count,
            amount=tier.amount,
            position=tier.position,
        )
        for tier in rules.tiers
    ]
    after = _rules_record(rules)
    changes = {key: [before.get(key), after[key]] for key in after if before.get(key) != after[key]}
    if changes:
        record("results_rules_changed", actor, contest.id, f"contest:{contest.id}", now, **changes)
    db.session.flush()


def _rules_record(rules: ResultsRules) -> dict:
    """The rules as JSON for the audit log."""
    return {
        "weights": [rules.weights.participation, rules.weights.accuracy, rules.weights.video],
        "unit_requires_video": rules.options.unit_requires_video,
        "max_individual_prizes_per_unit": rules.options.max_individual_prizes_per_unit,
        "min_participation_percent": rules.options.min_participation_percent,
        "prizes": [
            [tier.category, tier.name, tier.count, tier.amount]
            for tier in sorted(rules.tiers, key=lambda tier: (tier.category, tier.position))
        ],
        "prediction_question": rules.prediction_question,
        "prediction_true_value": rules.prediction_true_value,
    }
