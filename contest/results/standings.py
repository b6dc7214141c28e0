"""The contest's standings and prize list, computed from the database by the domain's rules
(contest.domain.ranking, judging and prizes); nothing here decides an order itself."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.domain.judging import JudgeTotal, aggregate_video_scores
from contest.domain.prizes import (
    INDIVIDUAL,
    UNIT,
    VIDEO,
    ContestUnit,
    EligibilityOptions,
    PrizeList,
    PrizeTier,
    RankedVideo,
    ScoreWeights,
    TieDecision,
    UnitScore,
    VideoEntry,
    allocate_prizes,
    rank_videos,
    score_tallies,
)
from contest.domain.ranking import RankedParticipant, RoundResult
from contest.domain.text import clean_lines
from contest.errors import Refused
from contest.extensions import db
from contest.models import (
    ENTERED_STATES,
    Contest,
    ParticipatingUnit,
    Score,
    ScoreState,
    TieResolution,
    Unit,
    User,
    Video,
    VideoState,
)
from contest.models.audit import record
from contest.results.services import LeaderboardLine, individual_leaderboard, unit_tallies


@dataclass(frozen=True)
class Standings:
    """Every ranking of a contest and the prize list they give.

    `individuals` is the head of the individual ranking, as far as the prizes needed to read
    it (whole groups of equal lines); the whole ranking is read page by page
    (contest.results.services.individual_ranking).
    """

    individuals: list[RankedParticipant]
    units: list[UnitScore]
    videos: list[RankedVideo]
    prizes: PrizeList


# Lines of the individual ranking read first for the prizes: the prize count times this.
HEAD_FACTOR = 10


def ranking_head(contest: Contest, size: int) -> tuple[list[LeaderboardLine], bool]:
    """The first `size` lines of the individual ranking, continued to the end of the last
    group of equal lines; True when that is the whole ranking."""
    lines = individual_leaderboard(contest, limit=size + 1)
    while len(lines) > size and lines[size].rank == lines[size - 1].rank:
        size += 1  # the line after the head continues its last group
        if len(lines) == size:
            lines += individual_leaderboard(contest, limit=size, offset=size)
    return lines[:size], len(lines) <= size


def _ranked_participant(line: LeaderboardLine) -> RankedParticipant:
    return RankedParticipant(
        rank=line.rank,
        result=RoundResult(
            participant_id=line.participant_id,
            attempt_id=line.attempt_id,
            correct_count=line.correct_count,
            duration_ms=line.duration_ms,
            finished_at=line.finished_at,
        ),
        prediction_distance=line.prediction_distance,
    )


def video_entries(contest: Contest) -> list[VideoEntry]:
    """Every video still in the contest with its aggregate judges' score (None: unscored)."""
    videos = db.session.execute(
        select(Video.id, Video.unit_id, Video.state).where(
            Video.contest_id == contest.id,
            Video.state.in_(ENTERED_STATES),
        )
    ).all()
    totals = [
        JudgeTotal(video_id, judge_id, total)
        for video_id, judge_id, total in db.session.execute(
            select(Score.video_id, Score.judge_id, Score.total)
            .join(Video)
            .where(
                Video.contest_id == contest.id,
                Video.state == VideoState.READY,
                Score.state == ScoreState.SUBMITTED,
                Score.total.is_not(None),
            )
        )
    ]
    scores = aggregate_video_scores(
        totals,
        [video.id for video in videos],
        method=contest.score_aggregation,
        max_total=contest.rubric_max_total,
    )
    return [VideoEntry(video.id, video.unit_id, scores[video.id].score) for video in videos]


def prize_table(contest: Contest) -> list[PrizeTier]:
    return [
        PrizeTier(row.name, row.category, row.prize_count, row.amount, row.position)
        for row in contest.prize_table
    ]


def participating_units(contest: Contest) -> list[ContestUnit]:
    """The contest's participating units, each with the contest's own headcount."""
    rows = db.session.execute(
        select(Unit.id, Unit.code, ParticipatingUnit.headcount)
        .join(ParticipatingUnit, ParticipatingUnit.unit_id == Unit.id)
        .where(ParticipatingUnit.contest_id == contest.id)
        .order_by(Unit.code)
    )
    return [ContestUnit(unit_id, code, headcount) for unit_id, code, headcount in rows]


def tie_decisions(contest: Contest) -> dict[str, TieDecision]:
    rows = db.session.scalars(select(TieResolution).where(TieResolution.contest_id == contest.id))
    return {row.tie_id: TieDecision(tuple(row.member_order), row.reason) for row in rows}


def compute_standings(contest: Contest) -> Standings:
    """Rankings and prizes as the data stand now (provisional until the organizers approve).

    The individual ranking is read from its head only, as far as its prizes need: when the
    prizes reach past what was read (participants passed over for the limit per unit), more
    is read and the prizes are allocated again.
    """
    units = participating_units(contest)
    taking_part = {unit.unit_id for unit in units}
    # Only the participating units are ranked: a participant or a video of another unit
    # (one that joined no contest, or left this one) counts in no unit ranking.
    videos = [video for video in video_entries(contest) if video.unit_id in taking_part]
    tallies = {i: tally for i, tally in unit_tallies(contest).items() if i in taking_part}
    unit_scores = score_tallies(
        units,
        tallies,
        videos,
        rubric_max=contest.rubric_max_total or Decimal(1),
        weights=ScoreWeights(
            contest.weight_participation, contest.weight_accuracy, contest.weight_video
        ),
    )
    ranked_videos = rank_videos(videos)
    table = prize_table(contest)
    individual_places = sum(tier.count for tier in table if tier.category == INDIVIDUAL)
    size = max(1, individual_places) * HEAD_FACTOR
    while True:
        head, whole = ranking_head(contest, size)
        prizes = allocate_prizes(
            table,
            units=unit_scores,
            videos=ranked_videos,
            individuals=[_ranked_participant(line) for line in head],
            participant_units={line.participant_id: line.unit_id for line in head},
            options=EligibilityOptions(
                unit_requires_video=contest.unit_prize_requires_video,
                max_individual_prizes_per_unit=contest.max_individual_prizes_per_unit,
                min_participation_percent=contest.min_participation_percent,
            ),
            decisions=tie_decisions(contest),
        )
        if whole or not _needs_more_individuals(prizes, individual_places):
            break
        size = len(head) * HEAD_FACTOR
    individuals = [_ranked_participant(line) for line in head]
    return Standings(individuals, unit_scores, ranked_videos, prizes)


def running_unit_ranking(contest: Contest) -> list[tuple[UnitScore, str]]:
    """The collective ranking as the quiz stands, with each unit's name, for everyone while
    the contest runs (when its organizers allow): participation and accuracy only, since the
    judges' video scores stay unseen until the results are published."""
    units = participating_units(contest)
    taking_part = {unit.unit_id for unit in units}
    tallies = {i: tally for i, tally in unit_tallies(contest).items() if i in taking_part}
    weights = ScoreWeights(
        contest.weight_participation, contest.weight_accuracy, contest.weight_video
    )
    scores = score_tallies(units, tallies, [], rubric_max=Decimal(1), weights=weights)
    names = dict(
        db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(taking_part))).all()
    )
    return [(score, names[score.unit_id]) for score in scores]


def _needs_more_individuals(prizes: PrizeList, places: int) -> bool:
    """Whether the individual prizes ran out of ranking before their places or a tie."""
    awarded = sum(1 for award in prizes.awards if award.category == INDIVIDUAL)
    pending = any(tie.category == INDIVIDUAL for tie in prizes.pending_ties)
    return awarded < places and not pending


class TieDecisionRefused(Refused):
    code, status = "tie_decision_refused", 422
    message = _l("This decision does not match a tie waiting for one.")


def decide_tie(
    contest: Contest, tie_id: str, order: list[int], reason: str, actor: User, now: datetime
) -> TieResolution:
    """Record the organizers' order for a pending boundary tie, with its reason (logged)."""
    reason = clean_lines(reason)
    pending = {tie.tie_id: tie for tie in compute_standings(contest).prizes.pending_ties}
    tie = pending.get(tie_id)
    if tie is None:
        raise TieDecisionRefused()
    if sorted(order) != sorted(tie.entry_ids) or len(set(order)) != len(order):
        raise TieDecisionRefused(_l("Put every tied entry in the order once."))
    if not reason.strip():
        raise TieDecisionRefused(_l("Give the reason for this decision."))
    resolution = db.session.scalar(
        select(TieResolution).where(
            TieResolution.contest_id == contest.id, TieResolution.tie_id == tie_id
        )
    ) or TieResolution(contest_id=contest.id, tie_id=tie_id)
    resolution.member_order, resolution.reason = list(order), reason.strip()
    resolution.decided_by, resolution.decided_at = actor, now
    db.session.add(resolution)
    record("tie_decided", actor, contest.id, f"tie:{tie_id}", now, order=list(order), reason=reason)
    db.session.flush()
    return resolution


@dataclass(frozen=True)
class EntryName:
    """What a ranked entry is called: a unit's name, a video's title or a person's name,
    with the unit of a video or a person (None for a unit, or a person without one)."""

    name: str
    unit: str | None = None

    @property
    def label(self) -> str:
        """The name on one line: "title (unit)", "name (unit)", or the unit's name."""
        return self.name if self.unit is None else f"{self.name} ({self.unit})"


def entry_names(standings: Standings) -> dict[str, dict[int, EntryName]]:
    """The name of each ranked entry and of each entry in a pending tie, by category and id."""
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    video_ids = [video.video_id for video in standings.videos]
    videos = {
        video_id: EntryName(title, units.get(unit_id, ""))
        for video_id, title, unit_id in db.session.execute(
            select(Video.id, Video.title, Video.unit_id).where(Video.id.in_(video_ids))
        )
    }
    people_ids = [
        award.entry_id for award in standings.prizes.awards if award.category == INDIVIDUAL
    ]
    people_ids += [i for tie in standings.prizes.pending_ties for i in tie.entry_ids]
    people = {
        user_id: EntryName(name, units.get(unit_id))
        for user_id, name, unit_id in db.session.execute(
            select(User.id, User.full_name, User.unit_id).where(User.id.in_(people_ids))
        )
    }
    unit_names = {unit_id: EntryName(name) for unit_id, name in units.items()}
    return {UNIT: unit_names, VIDEO: videos, INDIVIDUAL: people}


def entry_labels(standings: Standings) -> dict[str, dict[int, str]]:
    """What to call each ranked entry on the organizers' pages, by category and id."""
    return {
        category: {entry_id: name.label for entry_id, name in names.items()}
        for category, names in entry_names(standings).items()
    }
