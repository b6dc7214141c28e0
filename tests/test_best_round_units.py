"""Each best round keeps its participant's unit: written when a round is graded and when the
best rounds are rebuilt, moved along when the participant changes unit; the unit tallies and
the participation per unit read it."""

from datetime import timedelta

from sqlalchemy import select

from contest.extensions import db
from contest.models import BestRound
from contest.organizer.services import participation_by_unit
from contest.quiz.services import rebuild_best_rounds
from contest.results.services import individual_leaderboard, unit_tallies
from tests.helpers import graded_round, make_contest, make_unit, make_user


def kept_units(user) -> list[int | None]:
    """The unit each of the participant's best rounds holds, by contest."""
    return list(
        db.session.scalars(
            select(BestRound.unit_id)
            .where(BestRound.user_id == user.id)
            .order_by(BestRound.contest_id)
        )
    )


def tallied(contest) -> dict[int, tuple[int, int, int]]:
    return {
        unit_id: (tally.participants, tally.correct, tally.questions)
        for unit_id, tally in unit_tallies(contest).items()
    }


def test_a_graded_round_keeps_the_participants_unit(db_session):
    contest = make_contest()
    unit = make_unit()
    member, loner = make_user(unit=unit), make_user()
    graded_round(contest, member, 7, 60_000, contest.quiz_opens_at)
    graded_round(contest, loner, 9, 60_000, contest.quiz_opens_at)

    assert kept_units(member) == [unit.id]
    assert kept_units(loner) == [None]
    # Nobody without a unit is tallied.
    assert tallied(contest) == {unit.id: (1, 7, 10)}
    leaderboard = individual_leaderboard(contest, limit=10)
    assert [(line.unit_id, line.unit_name) for line in leaderboard] == [
        (None, None),
        (unit.id, unit.name),
    ]


def test_a_participant_moved_to_another_unit_takes_the_best_rounds_along(db_session):
    contest, other_contest = make_contest(), make_contest()
    first, second = make_unit(), make_unit()
    mover, stayer = make_user(unit=first), make_user(unit=first)
    start = contest.quiz_opens_at
    graded_round(contest, mover, 8, 60_000, start)
    graded_round(other_contest, mover, 5, 60_000, start)
    graded_round(contest, stayer, 6, 60_000, start)

    mover.unit = second  # the relationship, as a form would set it
    db.session.flush()
    assert kept_units(mover) == [second.id, second.id]
    assert kept_units(stayer) == [first.id]
    assert tallied(contest) == {first.id: (1, 6, 10), second.id: (1, 8, 10)}
    participation = {line.unit.id: line.participants for line in participation_by_unit(contest)}
    assert participation == {first.id: 1, second.id: 1}

    mover.unit_id = None  # the column itself, and leaving every unit
    db.session.flush()
    assert kept_units(mover) == [None, None]
    assert tallied(contest) == {first.id: (1, 6, 10)}

    # A better round later, graded after the move, keeps the unit of now.
    mover.unit_id = first.id
    graded_round(contest, mover, 10, 30_000, start + timedelta(hours=1))
    assert kept_units(mover) == [first.id, first.id]
    assert tallied(contest) == {first.id: (2, 16, 20)}


def test_other_changes_of_a_participant_leave_the_best_rounds_alone(db_session):
    contest = make_contest()
    unit = make_unit()
    user = make_user(unit=unit)
    graded_round(contest, user, 8, 60_000, contest.quiz_opens_at)

    user.full_name = "Nguyễn Thị Hoa"
    db.session.flush()
    assert kept_units(user) == [unit.id]
    assert individual_leaderboard(contest, limit=1)[0].full_name == "Nguyễn Thị Hoa"


def test_rebuilt_best_rounds_take_the_units_of_now(db_session):
    contest = make_contest()
    first, second = make_unit(), make_unit()
    users = [make_user(unit=first), make_user(unit=second), make_user()]
    for n, user in enumerate(users):
        graded_round(contest, user, 5 + n, 60_000, contest.quiz_opens_at)

    rebuild_best_rounds(contest.id)
    assert [kept_units(user) for user in users] == [[first.id], [second.id], [None]]
    assert tallied(contest) == {first.id: (1, 5, 10), second.id: (1, 6, 10)}
