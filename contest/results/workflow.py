"""From provisional results to published ones: approval freezes a snapshot of every ranking
and prize; reopening revokes it; publication happens at the contest's publication time.

Every step is an organizer's action written to the audit log. Whether results are published
is computed from stored timestamps on each request, never a flag a job flips.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.domain.prizes import UNIT, VIDEO, Award
from contest.errors import Refused
from contest.extensions import db
from contest.models import Contest, ResultsSnapshot, SnapshotIndividual, User
from contest.models.audit import record
from contest.results.services import freeze_individual_ranking
from contest.results.standings import EntryName, Standings, compute_standings, entry_names

PROVISIONAL, APPROVED, PUBLISHED = "provisional", "approved", "published"


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
        }

    return {
        "prizes": [prize(award) for award in prizes.awards],
        "total_amount": prizes.total_amount,
        "total_by_category": dict(prizes.total_by_category),
        "units": [
            {
                "rank": line.rank,
                "unit_id": line.unit_id,
                "label": names[UNIT].get(line.unit_id, unnamed).label,
                "participants": line.participants,
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
                "label": names[VIDEO].get(video.video_id, unnamed).label,
                "score": str(video.score),
                "eligible": video.eligible,
            }
            for video in standings.videos
        ],
    }


def approve_results(contest: Contest, actor: User, remarks: str | None, now: datetime):
    """Freeze the current standings as the approved results (after closing, ties decided)."""
    if current_snapshot(contest) is not None:
        raise ResultsRefused(_l("The results are already approved. Reopen them first."))
    still_open = [contest.quiz_closes_at]
    if contest.video_closes_at is not None:
        still_open.append(contest.video_closes_at)
    if now < max(still_open):
        raise ResultsRefused(_l("The contest is still open: results are approved after it closes."))
    standings = compute_standings(contest)
    if standings.prizes.pending_ties:
        raise ResultsRefused(_l("Decide every tie at a prize boundary before approving."))
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
    if current_snapshot(contest) is None:
        raise ResultsRefused(_l("Approve the results before publishing them."))
    previous = contest.results_publish_at
    if previous is None or previous > now:
        contest.results_publish_at = now
    record(
        "results_published",
        actor,
        contest.id,
        f"contest:{contest.id}",
        now,
        previous_publish_at=previous.isoformat() if previous else None,
    )
    db.session.flush()


def snapshot_individual_page(snapshot: ResultsSnapshot, limit: int, offset: int) -> list[dict]:
    """Up to `limit` lines of the snapshot's individual ranking from `offset`, in rank order.

    Each line: rank, participant_id, name, unit (a name or None), correct, duration_ms and
    finished_at (ISO 8601).
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
            "duration_ms": line.duration_ms,
            "finished_at": line.finished_at.isoformat(),
        }
        for line in lines
    ]
