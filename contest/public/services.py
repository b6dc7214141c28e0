"""The site's contests as the home page, the organizers' list and the API list them."""

from datetime import datetime

from sqlalchemy import select

from contest.extensions import db
from contest.models import Contest, ContestState

# Open contests first, then the coming ones, then the past ones (closed, or published).
STATE_ORDER = {
    ContestState.OPEN: 0,
    ContestState.UPCOMING: 1,
    ContestState.CLOSED: 2,
    ContestState.PUBLISHED: 2,
}


def listed_contests(now: datetime) -> list[tuple[Contest, ContestState]]:
    """Every contest with its state at `now`: open ones first (closing soonest first), then
    upcoming ones (opening soonest first), then past ones (latest closed first)."""
    contests = db.session.scalars(select(Contest).order_by(Contest.id)).all()
    listed = [(contest, contest.state(now)) for contest in contests]

    def order(item: tuple[Contest, ContestState]) -> tuple:
        contest, state = item
        rank = STATE_ORDER[state]
        if state is ContestState.OPEN:
            return (rank, contest.closes_at.timestamp(), contest.id)
        if state is ContestState.UPCOMING:
            return (rank, contest.opens_at.timestamp(), contest.id)
        return (rank, -contest.closes_at.timestamp(), -contest.id)

    return sorted(listed, key=order)


def open_contests(now: datetime) -> list[Contest]:
    """The contests open at `now` (a window opened, not closed yet)."""
    return [contest for contest, state in listed_contests(now) if state is ContestState.OPEN]
