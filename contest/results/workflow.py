"""From provisional results to published ones: approval freezes a snapshot of every ranking
and prize; reopening revokes it; publication happens at the contest's publication time.

Every step is an organizer's action written to the audit log. Whether results are published
is computed from stored timestamps on each request, never a flag a job flips; the scheduler
records the two moments that need no organizer (results computed at the close, publication
at the publication time) as milestones, in the audit log too.
"""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from contest.domain import rounds
from contest.domain.prizes import (
    INDIVIDUAL,
    UNIT,
    VIDEO,
    Award,
    PrizeList,
    RankedVideo,
    ScoreComponent,
    UnitScore,
)
from contest.errors import Refused
from contest.extensions import db
from contest.models import (
    BestRound,
    Contest,
    ContestMilestone,
    ResultsSnapshot,
    SnapshotIndividual,
    User,
    Video,
)
from contest.models.audit import record
from contest.results.services import freeze_individual_ranking
from contest.results.standings import EntryName, Standings, compute_standings, entry_names
from contest.review.services import undecided_prize_rounds

PROVISIONAL, APPROVED, PUBLISHED = "provisional", "approved", "published"
RESULTS_AT_CLOSE, PUBLICATION = "results_at_close", "publication"


class ResultsRefused(Refused):
    code, status = "results_refused", 409
    message = _l("The results cannot change state now.")


def current_snapshot(contest: Contest) -> ResultsSnapshot | None:
    """The approved snapshot in force (not revoked), if any."""
    return db.session.scalar(
        select(ResultsSnapshot)
        .where(ResultsSnapshot.contest_id == contest.id, ResultsSnapshot.revoked_at.is_(None))
        .order_by(ResultsSnapshot.id.desc())
        .limit(1)
    )


def published_snapshot(contest: Contest, now: datetime) -> ResultsSnapshot | None:
    """The approved snapshot, once its publication time has come; None before."""
    snapshot = current_snapshot(contest)
    if snapshot is None or not contest.results_are_published(now):
        return None
    return snapshot


def results_status(contest: Contest, now: datetime) -> str:
    """provisional (live), approved (frozen, not public yet) or published."""
    if current_snapshot(contest) is None:
        return PROVISIONAL
    return PUBLISHED if contest.results_are_published(now) else APPROVED


def snapshot_content(contest: Contest, standings: Standings) -> dict:
    """The prize list, the unit and the video rankings, with names, as JSON that later
    changes cannot move (the individual ranking is frozen as rows: freeze_individual_ranking).

    Each prize has its one-line label, and the winner's name and unit apart (a video's title
    and unit, a person's name and unit, a unit's name and None) for the certificates.
    """
    names = entry_names(standings)
    unnamed = EntryName("")
    prizes = standings.prizes

    def prize(award: Award) -> dict:
        name = names[award.category].get(award.entry_id) or EntryName(str(award.entry_id))
        return {
            "category": award.category,
            "tier": award.tier_name,
            "rank": award.rank,
            "entry_id": award.entry_id,
            "label": name.label,
            "winner": name.name,
            "unit": name.unit,
            "amount": award.amount,
            "decided_by_tie": award.decided_by_tie,
            "unit_id": award.unit_id,
            "tie_id": award.tie_id,
        }

    return {
        "prizes": [prize(award) for award in prizes.awards],
        "total_amount": prizes.total_amount,
        "total_by_category": dict(prizes.total_by_category),
        "units": [
            {
                "rank": line.rank,
                "unit_id": line.unit_id,
                "code": line.code,
                "label": names[UNIT].get(line.unit_id, unnamed).label,
                "participants": line.participants,
                "has_video": line.has_video,
                "best_video_id": line.best_video_id,
                "total": str(line.total),
                "components": {
                    name: {
                        "numerator": str(part.numerator),
                        "denominator": str(part.denominator),
                        "value": str(part.value),
                        "weight": part.weight,
                        "points": str(part.points),
                    }
                    for name, part in (
                        ("participation", line.participation),
                        ("accuracy", line.accuracy),
                        ("video", line.video),
                    )
                },
            }
            for line in standings.units
        ],
        "videos": [
            {
                "rank": video.rank,
                "video_id": video.video_id,
                "unit_id": video.unit_id,
                "label": names[VIDEO].get(video.video_id, unnamed).label,
                "score": str(video.score),
                "eligible": video.eligible,
            }
            for video in standings.videos
        ],
    }


def frozen_standings(snapshot: ResultsSnapshot) -> tuple[Standings, dict[str, dict[int, str]]]:
    """The standings as approved, and what each entry was called then, read back from the
    snapshot (the individual ranking is read apart: frozen_individual_ranking).

    Snapshots approved before the content kept the units' codes read back without them, and
    their videos and awards get their units from _units_of_old_snapshot.
    """
    content = snapshot.content
    labels: dict[str, dict[int, str]] = {UNIT: {}, VIDEO: {}, INDIVIDUAL: {}}
    units = []
    for line in content["units"]:
        labels[UNIT][line["unit_id"]] = line["label"]
        parts = {
            name: ScoreComponent(
                numerator=Decimal(part["numerator"]),
                denominator=Decimal(part["denominator"]),
                value=Decimal(part["value"]),
                weight=part["weight"],
                points=Decimal(part["points"]),
            )
            for name, part in line["components"].items()
        }
        units.append(
            UnitScore(
                rank=line["rank"],
                unit_id=line["unit_id"],
                code=line.get("code", ""),
                total=Decimal(line["total"]),
                participants=line["participants"],
                has_video=line.get("has_video", False),
                best_video_id=line.get("best_video_id"),
                **parts,
            )
        )
    units_then = _units_of_old_snapshot(content)

    def unit_of(entry: dict, category: str, entry_id: int) -> int | None:
        return entry["unit_id"] if "unit_id" in entry else units_then[category].get(entry_id)

    videos = []
    for video in content["videos"]:
        labels[VIDEO][video["video_id"]] = video["label"]
        videos.append(
            RankedVideo(
                rank=video["rank"],
                video_id=video["video_id"],
                unit_id=unit_of(video, VIDEO, video["video_id"]),
                score=Decimal(video["score"]),
                eligible=video["eligible"],
            )
        )
    awards = []
    for award in content["prizes"]:
        labels[award["category"]].setdefault(award["entry_id"], award["label"])
        awards.append(
            Award(
                category=award["category"],
                tier_name=award["tier"],
                amount=award["amount"],
                entry_id=award["entry_id"],
                rank=award["rank"],
                decided_by_tie=award["decided_by_tie"],
                unit_id=unit_of(award, award["category"], award["entry_id"]),
                tie_id=award.get("tie_id"),
            )
        )
    prizes = PrizeList(
        awards=tuple(awards),
        pending_ties=(),
        total_amount=content["total_amount"],
        total_by_category=content["total_by_category"],
    )
    return Standings([], units, videos, prizes), labels


def _units_of_old_snapshot(content: dict) -> dict[str, dict[int, int | None]]:
    """By category and entry id, the units a snapshot approved before its videos and awards
    kept them leaves out: a unit's own id, a video's unit (it never changes), a person's
    present unit. Empty for newer snapshots."""
    if all("unit_id" in entry for entry in (*content["videos"], *content["prizes"])):
        return {}
    video_ids = [video["video_id"] for video in content["videos"]]
    people = [a["entry_id"] for a in content["prizes"] if a["category"] == INDIVIDUAL]
    return {
        UNIT: {line["unit_id"]: line["unit_id"] for line in content["units"]},
        VIDEO: dict(
            db.session.execute(select(Video.id, Video.unit_id).where(Video.id.in_(video_ids))).all()
        ),
        INDIVIDUAL: dict(
            db.session.execute(select(User.id, User.unit_id).where(User.id.in_(people))).all()
        ),
    }


def approve_results(contest: Contest, actor: User, remarks: str | None, now: datetime):
    """Freeze the current standings as the approved results (after closing, ties decided, and
    no flagged round that would take a prize place undecided)."""
    if current_snapshot(contest) is not None:
        raise ResultsRefused(_l("The results are already approved. Reopen them first."))
    if now < contest.closes_at:
        raise ResultsRefused(_l("The contest is still open: results are approved after it closes."))
    standings = compute_standings(contest)
    if standings.prizes.pending_ties:
        raise ResultsRefused(_l("Decide every tie at a prize boundary before approving."))
    if undecided_prize_rounds(contest, standings.prizes):
        raise ResultsRefused(
            _l("Decide every flagged round that would take a prize place before approving.")
        )
    snapshot = ResultsSnapshot(
        contest_id=contest.id,
        approved_at=now,
        approved_by_id=actor.id,
        remarks=(remarks or "").strip() or None,
        content=snapshot_content(contest, standings),
    )
    db.session.add(snapshot)
    db.session.flush()
    freeze_individual_ranking(contest, snapshot.id)
    record(
        "results_approved",
        actor,
        contest.id,
        f"snapshot:{snapshot.id}",
        now,
        total_amount=standings.prizes.total_amount,
        remarks=snapshot.remarks,
    )
    return snapshot


def reopen_results(contest: Contest, actor: User, reason: str, now: datetime) -> None:
    """Revoke the approved snapshot: results are provisional again (logged with the reason)."""
    snapshot = current_snapshot(contest)
    if snapshot is None:
        raise ResultsRefused(_l("The results are not approved."))
    if not reason.strip():
        raise ResultsRefused(_l("Give the reason for reopening the results."))
    snapshot.revoked_at, snapshot.revoked_by_id = now, actor.id
    snapshot.revoke_reason = reason.strip()
    record("results_reopened", actor, contest.id, f"snapshot:{snapshot.id}", now, reason=reason)
    db.session.flush()


def publish_now(contest: Contest, actor: User, now: datetime) -> None:
    """Publish approved results at once instead of at the set publication time (logged)."""
    snapshot = current_snapshot(contest)
    if snapshot is None:
        raise ResultsRefused(_l("Approve the results before publishing them."))
    if contest.results_are_published(now):
        raise ResultsRefused(_l("The results are already published."))
    previous = contest.results_publish_at
    contest.results_publish_at = now
    # The scheduler then finds this publication done and does not log it a second time.
    _reach_milestone(contest, PUBLICATION, contest.results_publish_at, now, snapshot=snapshot.id)
    record(
        "results_published",
        actor,
        contest.id,
        f"contest:{contest.id}",
        now,
        previous_publish_at=previous.isoformat() if previous else None,
    )
    db.session.flush()


def last_milestone(contest: Contest, kind: str) -> ContestMilestone | None:
    """The latest moment of `kind` the contest has reached, if any."""
    return db.session.scalar(
        select(ContestMilestone)
        .where(ContestMilestone.contest_id == contest.id, ContestMilestone.kind == kind)
        .order_by(ContestMilestone.due_at.desc())
        .limit(1)
    )


def _has_reached(contest: Contest, kind: str, due_at: datetime) -> bool:
    reached = select(ContestMilestone.id).where(
        ContestMilestone.contest_id == contest.id,
        ContestMilestone.kind == kind,
        ContestMilestone.due_at == due_at,
    )
    return db.session.scalar(reached) is not None


def _reach_milestone(contest: Contest, kind: str, due_at: datetime, now: datetime, **details):
    """Record that the contest reached `kind` at `due_at`; False when it already had."""
    if _has_reached(contest, kind, due_at):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                ContestMilestone(
                    contest_id=contest.id, kind=kind, due_at=due_at, done_at=now, details=details
                )
            )
    except IntegrityError:
        return False  # reached by a concurrent process: its record stands
    return True


def compute_results_at_close(now: datetime) -> int:
    """Compute the provisional results of every contest whose close (and the grace of the
    rounds cut at it) has passed since they were last computed; how many contests.

    The summary goes to the milestone and the audit log, so the organizers find what the
    results were at the close before anyone reviewed them. A close moved later is a new
    moment: the results are computed again when it comes.
    """
    computed = 0
    for contest in db.session.scalars(select(Contest).order_by(Contest.id)).all():
        closes_at = contest.closes_at
        # The rounds the close cut are graded once overdue: the results wait for them.
        if not rounds.is_overdue(closes_at, contest.submission_grace_seconds, now):
            continue
        if _has_reached(contest, RESULTS_AT_CLOSE, closes_at):
            continue
        standings = compute_standings(contest)
        summary = {
            "participants": db.session.scalar(
                select(func.count()).where(BestRound.contest_id == contest.id)
            ),
            "awards": len(standings.prizes.awards),
            "total_amount": standings.prizes.total_amount,
            "pending_ties": len(standings.prizes.pending_ties),
        }
        if _reach_milestone(contest, RESULTS_AT_CLOSE, closes_at, now, **summary):
            record(
                "results_computed_at_close",
                None,
                contest.id,
                f"contest:{contest.id}",
                now,
                **summary,
            )
            computed += 1
    return computed


def publish_due_results(now: datetime) -> int:
    """Log the publication of every contest whose approved results reached their publication
    time; how many. (The pages show them from that time on, whether or not this ran.)

    Results not approved by the publication time are published the moment they are: the
    publication is logged at the first run after the approval.
    """
    published = 0
    due = select(Contest).where(Contest.results_publish_at <= now).order_by(Contest.id)
    for contest in db.session.scalars(due).all():
        snapshot = current_snapshot(contest)
        if snapshot is None:
            continue
        if _reach_milestone(
            contest, PUBLICATION, contest.results_publish_at, now, snapshot=snapshot.id
        ):
            record(
                "results_published",
                None,
                contest.id,
                f"contest:{contest.id}",
                now,
                snapshot=snapshot.id,
                publish_at=contest.results_publish_at.isoformat(),
            )
            published += 1
    return published


def snapshot_individual_page(snapshot: ResultsSnapshot, limit: int, offset: int) -> list[dict]:
    """Up to `limit` lines of the snapshot's individual ranking from `offset`, in rank order.

    Each line: rank, participant_id, name, unit (a name or None), correct, questions,
    duration_ms and finished_at (ISO 8601).
    """
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset cannot be negative")
    lines = db.session.scalars(
        select(SnapshotIndividual)
        .where(SnapshotIndividual.snapshot_id == snapshot.id)
        .order_by(SnapshotIndividual.position)
        .limit(limit)
        .offset(offset)
    )
    return [
        {
            "rank": line.rank,
            "participant_id": line.user_id,
            "name": line.full_name,
            "unit": line.unit_name,
            "correct": line.correct_count,
            "questions": line.question_count,
            "duration_ms": line.duration_ms,
            "finished_at": line.finished_at.isoformat(),
        }
        for line in lines
    ]
