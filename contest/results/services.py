"""Rankings read from the database, in the order contest.domain.ranking defines.

Each participant's best round is a row of `best_rounds`, kept as rounds are graded, and the
ranking's order is that table's index: a page of the leaderboard is cut from that index alone
and reads the names of its own lines only; its ranks (competition ranking, "1224") follow from
the lines' keys. The unit tallies read another index of the same table (its copy of the unit).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, case, func, literal, null, or_, select

from contest.domain.prizes import UnitTally
from contest.extensions import db
from contest.models import BestRound, Contest, Prediction, SnapshotIndividual, Unit, User

STREAM_ROWS = 2000  # rows fetched at a time when a whole ranking is streamed


@dataclass(frozen=True)
class LeaderboardLine:
    rank: int
    participant_id: int
    full_name: str
    unit_id: int | None
    unit_name: str | None
    attempt_id: int
    correct_count: int
    question_count: int
    duration_ms: int
    finished_at: datetime
    prediction_distance: int | None = None


def _ranking_keys(contest: Contest) -> list[tuple]:
    """contest.domain.ranking's order in SQL as (expression, descending), best first, without
    the listing's last key (the participant id).

    The prediction step exists only once the contest's true value is known; a participant
    without a prediction comes after all who made one.
    """
    keys = [(BestRound.correct_count, True), (BestRound.duration_ms, False)]
    if contest.prediction_true_value is not None:
        keys += [
            (case((Prediction.value.is_(None), 1), else_=0), False),
            (_distance(contest), False),
        ]
    return [*keys, (BestRound.finished_at, False)]


def _ranking_order(contest: Contest) -> list:
    return [key.desc() if descending else key for key, descending in _ranking_keys(contest)]


def _distance(contest: Contest):
    return func.abs(Prediction.value - contest.prediction_true_value)


def _ranked_best_rounds(contest: Contest, *columns):
    """SELECT of the contest's best rounds alone (with predictions, when they rank): a ranking
    is cut or numbered here, in the index's order, before any name is read."""
    query = select(*columns).select_from(BestRound).where(BestRound.contest_id == contest.id)
    if contest.prediction_true_value is not None:
        query = query.outerjoin(
            Prediction,
            (Prediction.contest_id == BestRound.contest_id)
            & (Prediction.user_id == BestRound.user_id),
        )
    return query


def _equal_before(contest: Contest, key: tuple, user_id: int) -> int:
    """How many lines equal to `key` are listed before participant `user_id` (a shared rank)."""
    equal = [
        expression.is_(None) if value is None else expression == value
        for (expression, _), value in zip(_ranking_keys(contest), key, strict=True)
    ]
    return db.session.scalar(
        _ranked_best_rounds(contest, func.count()).where(*equal, BestRound.user_id < user_id)
    )


def individual_ranking(
    contest: Contest, limit: int | None = None, offset: int = 0
) -> Iterator[LeaderboardLine]:
    """The individual ranking's lines from `offset`, streamed (all of them without `limit`).

    Equal lines share a rank (competition ranking, "1224") and are listed by participant id,
    which carries no meaning. The page is cut from the index of `best_rounds` alone (the
    lines skipped by `offset` are index entries, never joined to their people), then the
    names of its own lines are read; its first rank needs one count of the equal lines
    before it.
    """
    keys = _ranking_keys(contest)
    distance = (
        _distance(contest) if contest.prediction_true_value is not None else null().cast(Integer)
    )
    page = (
        _ranked_best_rounds(
            contest,
            BestRound.user_id,
            distance.label("distance"),
            *(key.label(f"key_{n}") for n, (key, _) in enumerate(keys)),
        )
        .order_by(*_ranking_order(contest), BestRound.user_id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    page_keys = [page.c[f"key_{n}"] for n in range(len(keys))]
    query = (
        select(
            page.c.user_id,
            BestRound.attempt_id,
            BestRound.correct_count,
            BestRound.question_count,
            BestRound.duration_ms,
            BestRound.finished_at,
            BestRound.unit_id,
            User.full_name,
            Unit.name.label("unit_name"),
            page.c.distance,
            *page_keys,
        )
        .select_from(page)
        .join(
            BestRound,
            (BestRound.contest_id == contest.id) & (BestRound.user_id == page.c.user_id),
        )
        .join(User, User.id == page.c.user_id)
        .outerjoin(Unit, Unit.id == BestRound.unit_id)
        .order_by(
            *(
                key.desc() if descending else key
                for key, (_, descending) in zip(page_keys, keys, strict=True)
            ),
            page.c.user_id,
        )
    )
    # Only the whole ranking streams: a page is small, and a server-side cursor (PostgreSQL)
    # would cost it more round trips than its rows.
    streamed = {"yield_per": STREAM_ROWS} if limit is None else {}
    rows = db.session.execute(query, execution_options=streamed)
    previous_key, rank = None, 0
    for position, row in enumerate(rows, offset + 1):
        key = tuple(row[-len(keys) :])
        if key != previous_key:
            rank = position
            if previous_key is None and offset:
                rank -= _equal_before(contest, key, row.user_id)
        previous_key = key
        yield LeaderboardLine(
            rank=rank,
            participant_id=row.user_id,
            full_name=row.full_name,
            unit_id=row.unit_id,
            unit_name=row.unit_name,
            attempt_id=row.attempt_id,
            correct_count=row.correct_count,
            question_count=row.question_count,
            duration_ms=row.duration_ms,
            finished_at=row.finished_at,
            prediction_distance=row.distance,
        )


def individual_leaderboard(contest: Contest, limit: int, offset: int = 0) -> list[LeaderboardLine]:
    """One page of the individual ranking (see individual_ranking)."""
    return list(individual_ranking(contest, limit, offset))


def ranked_count(contest: Contest, unit_id: int | None = None) -> int:
    """How many participants the ranking lists (of one unit, when given)."""
    query = select(func.count()).where(BestRound.contest_id == contest.id)
    if unit_id is not None:
        query = query.where(BestRound.unit_id == unit_id)
    return db.session.scalar(query)


def ranked_units(contest: Contest) -> list[tuple[int, str]]:
    """(id, name) of the units with someone in the ranking, by name: the leaderboard's filter."""
    return list(
        db.session.execute(
            select(Unit.id, Unit.name)
            .where(
                Unit.id.in_(
                    select(BestRound.unit_id).where(
                        BestRound.contest_id == contest.id, BestRound.unit_id.is_not(None)
                    )
                )
            )
            .order_by(Unit.name)
        ).all()
    )


def unit_leaderboard(
    contest: Contest, unit_id: int, limit: int, offset: int = 0
) -> list[LeaderboardLine]:
    """One page of a unit's lines of the individual ranking, each with its rank in the whole
    contest (the ranking is numbered over every line, then the unit's lines are cut from it)."""
    order = _ranking_order(contest)
    ranked = _ranked_best_rounds(
        contest,
        BestRound.user_id,
        BestRound.unit_id,
        func.rank().over(order_by=order).label("rank"),
        func.row_number().over(order_by=[*order, BestRound.user_id]).label("position"),
    ).subquery()
    rows = db.session.execute(
        select(ranked, BestRound, User.full_name, Unit.name.label("unit_name"))
        .select_from(ranked)
        .join(
            BestRound,
            (BestRound.contest_id == contest.id) & (BestRound.user_id == ranked.c.user_id),
        )
        .join(User, User.id == ranked.c.user_id)
        .join(Unit, Unit.id == ranked.c.unit_id)
        .where(ranked.c.unit_id == unit_id)
        .order_by(ranked.c.position)
        .limit(limit)
        .offset(offset)
    )
    return [_line(row.rank, row.BestRound, row.full_name, row.unit_name) for row in rows]


def own_line(contest: Contest, user_id: int) -> tuple[LeaderboardLine, int] | None:
    """A participant's line, with its rank, and its position in the listing (from 1); None
    when they have no graded round. The rank is one more than the lines strictly better."""
    keys = _ranking_keys(contest)
    mine = db.session.execute(
        _ranked_best_rounds(
            contest, *(key.label(f"key_{n}") for n, (key, _) in enumerate(keys))
        ).where(BestRound.user_id == user_id)
    ).first()
    if mine is None:
        return None
    better, equal_so_far = [], []
    for (expression, descending), value in zip(keys, mine, strict=True):
        if value is not None:  # a key without a value (no prediction) has nothing better
            beats = expression > value if descending else expression < value
            better.append(and_(*equal_so_far, beats))
        equal_so_far.append(expression.is_(None) if value is None else expression == value)
    ahead = db.session.scalar(_ranked_best_rounds(contest, func.count()).where(or_(*better)))
    rank = ahead + 1
    position = rank + _equal_before(contest, tuple(mine), user_id)
    best = db.session.get(BestRound, (contest.id, user_id))
    unit = db.session.get(Unit, best.unit_id) if best.unit_id is not None else None
    full_name = db.session.get(User, user_id).full_name
    return _line(rank, best, full_name, unit.name if unit else None), position


def _line(rank: int, best: BestRound, full_name: str, unit_name: str | None) -> LeaderboardLine:
    """A line of a page that shows no prediction distance."""
    return LeaderboardLine(
        rank=rank,
        participant_id=best.user_id,
        full_name=full_name,
        unit_id=best.unit_id,
        unit_name=unit_name,
        attempt_id=best.attempt_id,
        correct_count=best.correct_count,
        question_count=best.question_count,
        duration_ms=best.duration_ms,
        finished_at=best.finished_at,
    )


def unit_tallies(contest: Contest) -> dict[int, UnitTally]:
    """Per unit: participants, and the correct answers and questions of their best rounds."""
    rows = db.session.execute(
        select(
            BestRound.unit_id,
            func.count(),
            func.sum(BestRound.correct_count),
            func.sum(BestRound.question_count),
        )
        .where(BestRound.contest_id == contest.id, BestRound.unit_id.is_not(None))
        .group_by(BestRound.unit_id)
    )
    return {
        unit_id: UnitTally(unit_id, participants, int(correct), int(questions))
        for unit_id, participants, correct, questions in rows
    }


def freeze_individual_ranking(contest: Contest, snapshot_id: int) -> int:
    """Copy the whole individual ranking, names included, into the snapshot (in the database).

    The lines are numbered and ranked from the best rounds alone, then given their names.
    """
    order = _ranking_order(contest)
    ranked = _ranked_best_rounds(
        contest,
        func.row_number().over(order_by=[*order, BestRound.user_id]).label("position"),
        func.rank().over(order_by=order).label("rank"),
        BestRound.user_id,
        BestRound.unit_id,
        BestRound.correct_count,
        BestRound.question_count,
        BestRound.duration_ms,
        BestRound.finished_at,
    ).subquery()
    source = (
        select(
            literal(snapshot_id, Integer).label("snapshot_id"),
            ranked.c.position,
            ranked.c.rank,
            ranked.c.user_id,
            User.full_name,
            Unit.name,
            ranked.c.correct_count,
            ranked.c.question_count,
            ranked.c.duration_ms,
            ranked.c.finished_at,
        )
        .select_from(ranked)
        .join(User, User.id == ranked.c.user_id)
        .outerjoin(Unit, Unit.id == ranked.c.unit_id)
    )
    columns = [
        "snapshot_id",
        "position",
        "rank",
        "user_id",
        "full_name",
        "unit_name",
        "correct_count",
        "question_count",
        "duration_ms",
        "finished_at",
    ]
    db.session.execute(SnapshotIndividual.__table__.insert().from_select(columns, source))
    # Counted afterwards: INSERT ... SELECT reports no row count through every driver.
    return db.session.scalar(
        select(func.count()).where(SnapshotIndividual.snapshot_id == snapshot_id)
    )


def frozen_individual_ranking(snapshot_id: int) -> Iterator:
    """The snapshot's individual ranking as approved, streamed in rank order: rows with the
    leaderboard lines' names (rank, full_name, unit_name, correct_count, duration_ms, ...)."""
    line = SnapshotIndividual
    columns = (
        line.position,
        line.rank,
        line.user_id.label("participant_id"),
        line.full_name,
        line.unit_name,
        line.correct_count,
        line.question_count,
        line.duration_ms,
        line.finished_at,
    )
    last_position = 0
    while True:
        rows = db.session.execute(
            select(*columns)
            .where(line.snapshot_id == snapshot_id, line.position > last_position)
            .order_by(line.position)
            .limit(STREAM_ROWS)
        ).all()
        if not rows:
            return
        yield from rows
        last_position = rows[-1].position
