"""Judges score videos on the contest's rubric; organizers edit the rubric, assign judges,
read every score and reopen a submitted one (logged)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from contest.domain.judging import Aggregation, JudgeTotal, VideoScore, aggregate_video_scores
from contest.domain.text import clean_lines, clean_text
from contest.errors import Refused
from contest.extensions import db
from contest.i18n import format_points
from contest.models import (
    COUNTED_STATES,
    Contest,
    JudgeAssignment,
    Role,
    RubricCriterion,
    Score,
    ScoreItem,
    ScoreState,
    User,
    UserRole,
    Video,
    VideoForm,
    VideoState,
)
from contest.models.audit import record
from contest.models.judging import MAX_COMMENT_LENGTH
from contest.numbers import id_number

# The score sheet's field for the reason of a declared conflict (kept as the sheet's comment).
CONFLICT_REASON = "conflict_reason"
PANEL_FILTERS = ("all", "to_score", "draft", "submitted", "conflict")


class JudgingRefused(Refused):
    code = "judging_refused"
    status = 403
    message = _l("You cannot score this video.")


class ScoreLocked(Refused):
    code, status = "score_locked", 409
    message = _l("This score has been submitted and is locked. Ask the organizers to reopen it.")


class InvalidScore(Refused):
    code, status = "invalid_score", 422
    message = _l("Check the points.")


class RubricLocked(Refused):
    code, status = "rubric_locked", 409
    message = _l(
        "Judges have already scored videos: criteria and maxima can no longer change "
        "(names and guidance can)."
    )


@dataclass(frozen=True)
class PanelRow:
    video: Video
    score: Score | None

    @property
    def status(self) -> str:
        if self.score is None:
            return "to_score"
        if self.score.state is ScoreState.DRAFT:
            return "draft"
        if self.score.state is ScoreState.CONFLICT:
            return "conflict"
        return "submitted"


@dataclass(frozen=True)
class Panel:
    """The judge's videos; `done` counts the sheets scored, `abstained` the declared conflicts
    (nothing left to do on either, but an abstention is not a score)."""

    rows: list[PanelRow]
    done: int
    abstained: int
    total: int


def videos_for_judge(contest: Contest, judge: User) -> list[Video]:
    """The ready videos this judge may score, in a stable order."""
    query = (
        select(Video)
        .where(Video.contest_id == contest.id, Video.state == VideoState.READY)
        .options(selectinload(Video.unit))
        .order_by(Video.ready_at, Video.id)
    )
    if judge.unit_id is not None:
        query = query.where(Video.unit_id != judge.unit_id)
    assigned = select(JudgeAssignment.video_id).where(JudgeAssignment.judge_id == judge.id)
    assigned_here = set(
        db.session.scalars(assigned.join(Video).where(Video.contest_id == contest.id))
    )
    if assigned_here:
        query = query.where(Video.id.in_(assigned_here))
    return list(db.session.scalars(query))


def judge_panel(contest: Contest, judge: User, status: str = "all") -> Panel:
    """The judge's videos with their sheet, filtered by status, and the judge's progress."""
    videos = videos_for_judge(contest, judge)
    sheets = {
        score.video_id: score
        for score in db.session.scalars(
            select(Score).where(
                Score.judge_id == judge.id, Score.video_id.in_([v.id for v in videos])
            )
        )
    }
    rows = [PanelRow(video, sheets.get(video.id)) for video in videos]
    done = sum(1 for row in rows if row.status == "submitted")
    abstained = sum(1 for row in rows if row.status == "conflict")
    shown = [row for row in rows if status == "all" or row.status == status]
    return Panel(rows=shown, done=done, abstained=abstained, total=len(rows))


def score_sheet(video: Video, judge: User) -> Score | None:
    return db.session.scalar(
        select(Score).where(Score.video_id == video.id, Score.judge_id == judge.id)
    )


def _check_judge(video: Video, judge: User) -> Score | None:
    if not video.can_be_scored_by(judge):
        raise JudgingRefused()
    sheet = score_sheet(video, judge)
    if sheet is not None and sheet.state is not ScoreState.DRAFT:
        raise ScoreLocked()
    return sheet


def parse_points(raw: str | None, criterion: RubricCriterion) -> Decimal | None:
    """Points typed by a judge ('35', '35,5', '35.25'), checked against the criterion."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        points = Decimal(text)
    except InvalidOperation:
        raise InvalidScore(
            _l("%(criterion)s: enter a number.", criterion=criterion.name),
            criterion_id=criterion.id,
        ) from None
    if not points.is_finite() or points.as_tuple().exponent < -2:
        raise InvalidScore(
            _l("%(criterion)s: at most two decimals.", criterion=criterion.name),
            criterion_id=criterion.id,
        )
    if not 0 <= points <= criterion.max_points:
        raise InvalidScore(
            _l(
                "%(criterion)s: between 0 and %(max)s points.",
                criterion=criterion.name,
                max=format_points(criterion.max_points),
            ),
            criterion_id=criterion.id,
        )
    return points


def parse_sheet(
    rubric: list[RubricCriterion], raw_points: dict[int, str | None], submit: bool
) -> dict[int, Decimal | None]:
    """Every criterion's points; every faulty one is reported at once, keyed by criterion id
    in the refusal's `fields`. Submitting needs points for every criterion; a draft does not."""
    points: dict[int, Decimal | None] = {}
    faults = {}
    for criterion in rubric:
        try:
            points[criterion.id] = parse_points(raw_points.get(criterion.id), criterion)
        except InvalidScore as refused:
            faults[criterion.id] = refused.message
            continue
        if submit and points[criterion.id] is None:
            faults[criterion.id] = _l(
                "%(criterion)s: give the points before submitting.", criterion=criterion.name
            )
    if faults:
        raise InvalidScore(
            _l("Check the %(count)s marked fields.", count=len(faults))
            if len(faults) > 1
            else next(iter(faults.values())),
            fields=faults,
        )
    return points


def _comment(text: str | None) -> str | None:
    """The judge's comment cleaned (contest.domain.text), None when empty; refused when long."""
    comment = clean_lines(text)
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidScore(
            _l(
                "The comment has %(length)d characters; at most %(max)d are allowed.",
                length=len(comment),
                max=MAX_COMMENT_LENGTH,
            )
        )
    return comment or None


def save_score(
    video: Video,
    judge: User,
    raw_points: dict[int, str | None],
    comment: str | None,
    submit: bool,
    now: datetime,
) -> Score:
    """Save the judge's sheet as a draft, or submit it (every criterion needed; then locked)."""
    video.contest.refuse_if_archived(now)
    sheet = _check_judge(video, judge)
    comment = _comment(comment)
    points = parse_sheet(video.contest.rubric, raw_points, submit)
    if sheet is None:
        sheet = Score(video=video, judge=judge, created_at=now)
        db.session.add(sheet)
    # Update rows in place: replacing them would insert before the old ones are deleted.
    existing = {item.criterion_id: item for item in sheet.items}
    for criterion_id, value in points.items():
        item = existing.get(criterion_id)
        if value is None and item is not None:
            sheet.items.remove(item)
        elif value is not None and item is None:
            sheet.items.append(ScoreItem(criterion_id=criterion_id, points=value))
        elif value is not None:
            item.points = value
    sheet.comment = comment
    sheet.total = sum((item.points for item in sheet.items), Decimal(0)) if sheet.items else None
    sheet.updated_at = now
    if submit:
        sheet.state, sheet.submitted_at = ScoreState.SUBMITTED, now
    db.session.flush()
    return sheet


def declare_conflict(video: Video, judge: User, reason: str | None, now: datetime) -> Score:
    """The judge abstains on this video, for the reason given (required); it counts as no
    score at all, not a zero."""
    video.contest.refuse_if_archived(now)
    sheet = _check_judge(video, judge)
    reason = _comment(reason)
    if reason is None:
        message = _l("Write why you cannot score this video.")
        raise InvalidScore(message, fields={CONFLICT_REASON: message})
    if sheet is None:
        sheet = Score(video=video, judge=judge, created_at=now)
        db.session.add(sheet)
    sheet.items = []
    sheet.total = None
    sheet.comment = reason
    sheet.state, sheet.submitted_at, sheet.updated_at = ScoreState.CONFLICT, now, now
    db.session.flush()
    return sheet


def reopen_score(sheet: Score, organizer: User, reason: str, now: datetime) -> Score:
    """Give a submitted sheet (or a declared conflict) back to its judge as a draft; logged."""
    sheet.video.contest.refuse_if_archived(now)
    if sheet.state is ScoreState.DRAFT:
        raise Refused(_l("This score is already open."))
    record(
        "score_reopened",
        organizer,
        sheet.video.contest_id,
        f"score:{sheet.id}",
        now,
        video_id=sheet.video_id,
        judge_id=sheet.judge_id,
        previous_state=sheet.state.value,
        previous_total=str(sheet.total) if sheet.total is not None else None,
        reason=reason,
    )
    sheet.state, sheet.submitted_at, sheet.updated_at = ScoreState.DRAFT, None, now
    db.session.flush()
    return sheet


@dataclass(frozen=True)
class JudgeLine:
    judge: User
    sheet: Score | None


@dataclass(frozen=True)
class VideoResult:
    video: Video
    aggregate: VideoScore
    lines: list[JudgeLine]
    missing: list[User]


def all_judges() -> list[User]:
    """Every account holding the judge role."""
    query = (
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.JUDGE, User.is_active_account.is_(True))
        .order_by(User.full_name, User.id)
    )
    return list(db.session.scalars(query))


def judging_overview(contest: Contest) -> list[VideoResult]:
    """Every ready video with each judge's sheet, the missing judges and the aggregate score,
    best score first."""
    videos = list(
        db.session.scalars(
            select(Video)
            .where(Video.contest_id == contest.id, Video.state == VideoState.READY)
            .options(selectinload(Video.unit))
        )
    )
    sheets = db.session.scalars(
        select(Score)
        .join(Video)
        .where(Video.contest_id == contest.id)
        .options(selectinload(Score.items))
    )
    by_video: defaultdict[int, dict[int, Score]] = defaultdict(dict)
    for sheet in sheets:
        by_video[sheet.video_id][sheet.judge_id] = sheet
    totals = [
        JudgeTotal(sheet.video_id, sheet.judge_id, sheet.total)
        for per_judge in by_video.values()
        for sheet in per_judge.values()
        if sheet.state is ScoreState.SUBMITTED and sheet.total is not None
    ]
    aggregates = aggregate_video_scores(
        totals,
        [video.id for video in videos],
        method=contest.score_aggregation,
        max_total=contest.rubric_max_total,
    )
    panel = all_judges()
    assigned = assignment_map(contest)
    results = []
    for video in videos:
        eligible = [
            judge
            for judge in panel
            if not video.conflicts_with(judge) and video.id in assigned.get(judge.id, {video.id})
        ]
        sheets_here = by_video.get(video.id, {})
        lines = [JudgeLine(judge, sheets_here.get(judge.id)) for judge in eligible]
        missing = [
            line.judge
            for line in lines
            if line.sheet is None or line.sheet.state is ScoreState.DRAFT
        ]
        results.append(VideoResult(video, aggregates[video.id], lines, missing))
    results.sort(key=lambda r: (r.aggregate.score is None, -(r.aggregate.score or 0), r.video.id))
    return results


def set_assignments(contest: Contest, judge: User, video_ids: set[int]) -> None:
    """Give the judge exactly these videos (none: every video, the default)."""
    contest_videos = select(Video.id).where(Video.contest_id == contest.id)
    db.session.execute(
        delete(JudgeAssignment).where(
            JudgeAssignment.judge_id == judge.id, JudgeAssignment.video_id.in_(contest_videos)
        )
    )
    valid = set(db.session.scalars(contest_videos.where(Video.id.in_(video_ids))))
    db.session.add_all(JudgeAssignment(judge_id=judge.id, video_id=vid) for vid in sorted(valid))
    db.session.flush()


def assignment_map(contest: Contest) -> dict[int, set[int]]:
    """judge id → the video ids assigned to them in this contest (absent: all videos)."""
    rows = db.session.execute(
        select(JudgeAssignment.judge_id, JudgeAssignment.video_id)
        .join(Video)
        .where(Video.contest_id == contest.id)
    )
    assigned: defaultdict[int, set[int]] = defaultdict(set)
    for judge_id, video_id in rows:
        assigned[judge_id].add(video_id)
    return dict(assigned)


@dataclass(frozen=True)
class CriterionDraft:
    criterion_id: int | None
    name: str
    max_points: Decimal
    guidance: str | None


def scores_exist(contest: Contest) -> bool:
    query = (
        select(func.count(ScoreItem.id))
        .join(RubricCriterion)
        .where(RubricCriterion.contest_id == contest.id)
    )
    return bool(db.session.scalar(query))


def update_rubric(contest: Contest, drafts: list[CriterionDraft]) -> None:
    """Replace the rubric; once any points were given only names and guidance may change."""
    if not drafts:
        raise InvalidScore(_l("The rubric needs at least one criterion."))
    current = {criterion.id: criterion for criterion in contest.rubric}
    if scores_exist(contest):
        same_shape = [d.criterion_id for d in drafts] == list(current) and all(
            current[d.criterion_id].max_points == d.max_points for d in drafts
        )
        if not same_shape:
            raise RubricLocked()
    kept = []
    for position, draft in enumerate(drafts):
        criterion = current.get(draft.criterion_id) or RubricCriterion(contest=contest)
        criterion.name, criterion.max_points = draft.name, draft.max_points
        criterion.guidance, criterion.position = draft.guidance, position
        kept.append(criterion)
    contest.rubric = kept
    db.session.flush()


def rubric_drafts(rows: list[dict]) -> list[CriterionDraft]:
    """The rubric form's rows as drafts; a row without a name is dropped (that deletes it)."""
    drafts = []
    for row in rows:
        name = clean_text(row.get("criterion_name"))
        if not name:
            continue
        if row.get("max_points") is None:
            raise InvalidScore(_l("%(criterion)s: give its maximum points.", criterion=name))
        criterion_id = row.get("criterion_id")
        drafts.append(
            CriterionDraft(
                criterion_id=id_number(criterion_id),
                name=name,
                max_points=row["max_points"],
                guidance=clean_lines(row.get("guidance")) or None,
            )
        )
    return drafts


def ready_videos(contest: Contest) -> list[Video]:
    query = (
        select(Video)
        .where(Video.contest_id == contest.id, Video.state == VideoState.READY)
        .options(selectinload(Video.unit))
        .order_by(Video.unit_id, Video.id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class VideoSettings:
    """The contest's video and judging options, as the settings form shows them."""

    max_videos_per_unit: int
    video_max_megabytes: int
    video_max_minutes: Decimal | None
    judging_blind: bool
    score_aggregation: str
    video_gallery_public: bool
    allowed_video_forms: tuple[str, ...] = tuple(form.value for form in VideoForm)

    @classmethod
    def of(cls, contest: Contest) -> "VideoSettings":
        seconds = contest.video_max_duration_seconds
        return cls(
            allowed_video_forms=tuple(form.value for form in contest.video_forms()),
            max_videos_per_unit=contest.max_videos_per_unit,
            video_max_megabytes=contest.video_max_bytes // 1024**2,
            video_max_minutes=Decimal(seconds) / 60 if seconds else None,
            judging_blind=contest.judging_blind,
            score_aggregation=contest.score_aggregation.value,
            video_gallery_public=contest.video_gallery_public,
        )

    @classmethod
    def from_form(cls, data: dict) -> "VideoSettings":
        values = {name: data[name] for name in cls.__dataclass_fields__}
        chosen = set(values["allowed_video_forms"])
        values["allowed_video_forms"] = tuple(f.value for f in VideoForm if f.value in chosen)
        return cls(**values)


def _as_json(value):
    """A setting as the audit log's JSON keeps it: minutes as text, forms as a list, the rest
    as they are."""
    if isinstance(value, tuple):
        return list(value)
    return str(value) if isinstance(value, Decimal) else value


class VideoSettingsRefused(Refused):
    code, status = "video_settings_refused", 422
    message = _l("These settings cannot be saved.")


def most_videos_of_a_unit(contest: Contest) -> int:
    """The most places one unit holds (live videos, as the upload limit counts them)."""
    per_unit = (
        select(func.count(Video.id).label("held"))
        .where(
            Video.contest_id == contest.id,
            Video.state.in_(COUNTED_STATES),
            Video.replaces_id.is_(None),
        )
        .group_by(Video.unit_id)
        .subquery()
    )
    return db.session.scalar(select(func.max(per_unit.c.held))) or 0


def configure_videos(contest: Contest, settings: VideoSettings, actor: User, now: datetime) -> None:
    """Apply the video and judging options; the change is logged.

    Refused: fewer videos per unit than a unit already holds (withdrawing is the unit's
    decision, not a side effect of a setting), and no accepted form at all. A video entered
    in a form that is then withdrawn stays in the contest.
    """
    contest.refuse_if_archived(now)
    held = most_videos_of_a_unit(contest)
    if settings.max_videos_per_unit < held:
        raise VideoSettingsRefused(
            _l(
                "A unit already holds %(count)s videos: the limit per unit may not be lower.",
                count=held,
            )
        )
    if not settings.allowed_video_forms:
        raise VideoSettingsRefused(_l("Accept at least one form."))
    before = VideoSettings.of(contest)
    every_form = len(settings.allowed_video_forms) == len(VideoForm)
    contest.allowed_video_forms = None if every_form else ",".join(settings.allowed_video_forms)
    contest.max_videos_per_unit = settings.max_videos_per_unit
    contest.video_max_bytes = settings.video_max_megabytes * 1024**2
    minutes = settings.video_max_minutes
    contest.video_max_duration_seconds = round(minutes * 60) if minutes else None
    contest.judging_blind = settings.judging_blind
    contest.score_aggregation = Aggregation(settings.score_aggregation)
    contest.video_gallery_public = settings.video_gallery_public
    changes = {
        name: [_as_json(getattr(before, name)), _as_json(getattr(settings, name))]
        for name in VideoSettings.__dataclass_fields__
        if getattr(before, name) != getattr(settings, name)
    }
    if changes:
        record("video_settings_changed", actor, contest.id, f"contest:{contest.id}", now, **changes)
    db.session.flush()
