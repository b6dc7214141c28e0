"""The organizer's dashboard counts, computed in the database."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from contest.models import AttemptState
from contest.organizer.services import rounds_per_day
from tests.helpers import graded_round, in_contest, make_contest, make_unit, make_user

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_rounds_are_counted_per_local_day_of_their_finish(db_session):
    # 07:00 15/09/2021 local is 00:00 UTC; local midnight is 17:00 UTC.
    opens = datetime(2021, 9, 15, 0, 0, tzinfo=UTC)
    contest = make_contest(opens, quiz_closes_at=opens + timedelta(days=3))
    other = make_contest(opens, quiz_closes_at=opens + timedelta(days=3))
    people = [make_user(unit=make_unit()) for _ in range(3)]
    before_midnight = datetime(2021, 9, 15, 16, 59, 59, tzinfo=UTC)  # 23:59:59 on the 15th
    midnight = datetime(2021, 9, 15, 17, 0, tzinfo=UTC)  # 00:00 on the 16th
    graded_round(contest, people[0], 5, 60_000, before_midnight)
    graded_round(contest, people[1], 5, 60_000, before_midnight, AttemptState.EXPIRED)
    graded_round(contest, people[2], 5, 60_000, midnight)
    graded_round(contest, people[0], 7, 60_000, datetime(2021, 9, 17, 3, 0, tzinfo=UTC))
    graded_round(other, people[0], 7, 60_000, midnight)  # another contest is not counted

    assert rounds_per_day(contest, ZONE) == [
        (date(2021, 9, 15), 2),
        (date(2021, 9, 16), 1),
        (date(2021, 9, 17), 1),
    ]
    # In UTC both 16:59:59 and 17:00 fall on the 15th; no round finished on the 16th.
    assert rounds_per_day(contest, ZoneInfo("UTC")) == [
        (date(2021, 9, 15), 3),
        (date(2021, 9, 17), 1),
    ]


def test_every_paged_listing_refuses_an_absurd_page(client, db_session):
    from contest.models import Role
    from tests.helpers import ApiClient

    contest = make_contest()
    organizer = make_user(Role.ORGANIZER)
    db_session.commit()
    assert (
        client.get(in_contest(contest, "/results/leaderboard?page=abc")).status_code == 200
    )  # read as page 1
    assert client.get(in_contest(contest, f"/results/leaderboard?page={10**30}")).status_code == 404
    ApiClient(client).login(organizer)
    assert client.get(in_contest(contest, "/organizer/audit?page=-3")).status_code == 200
    assert client.get(in_contest(contest, f"/organizer/audit?page={10**30}")).status_code == 404
