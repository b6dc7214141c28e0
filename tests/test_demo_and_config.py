"""The demo's data, the bank files, and the configuration's safety rules."""

import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from contest.config import ConfigurationError, resolve_secret_key
from contest.demo import DEMO_PASSWORD, demo_name, load_demo
from contest.domain.question_files import read_question_file
from contest.domain.question_files.records import CheckedQuestion
from contest.domain.question_files.validation import check_questions
from contest.models import (
    Attempt,
    AuditEntry,
    BestRound,
    Contest,
    ContestState,
    Question,
    ReviewDecision,
    ReviewPolicy,
    Role,
    RoundReview,
    Unit,
    UnitGroup,
    User,
)
from contest.public.services import listed_contests
from contest.questions.services import BANK_DIR
from contest.results import workflow
from contest.results.services import individual_leaderboard
from contest.review import services as review
from tests.helpers import ApiClient

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_demo_loads_the_seed_units_accounts_and_bank_and_keeps_data_on_rerun(db_session):
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    first = load_demo(now, ZONE)
    assert first["units"] == 46
    assert first["accounts"] == 1 + 3 + 46 + 200
    assert first["questions"] >= 300
    groups = db_session.scalars(select(UnitGroup).order_by(UnitGroup.position)).all()
    assert [len(group.units) for group in groups] == [18, 1, 1, 8, 7, 11]
    assert all(unit.headcount > 0 for unit in db_session.scalars(select(Unit)))
    organizer = db_session.scalar(select(User).where(User.username == "organizer"))
    assert organizer.roles == {Role.ORGANIZER}
    assert organizer.check_password("demo")
    assert db_session.scalar(select(User).where(User.username == "user200")).unit is not None
    # The demo's open contest keeps the key until the close and keeps the pace limit.
    demo = db_session.get(Contest, first["contest"])
    assert demo.review_policy is ReviewPolicy.AFTER_CLOSE
    assert demo.max_starts_per_hour == 6

    # Last year's contest: played through the quiz, its results approved and published.
    past = db_session.get(Contest, first["past_contest"])
    assert past.slug == "cchc-2025"
    assert past.quiz_opens_at.astimezone(ZONE).year == 2025
    assert past.state(now) is ContestState.PUBLISHED
    assert workflow.published_snapshot(past, now).content["prizes"]
    rounds = db_session.scalar(select(func.count(Attempt.id)).where(Attempt.contest_id == past.id))
    assert rounds == 32  # user1 … user30, and the two flagged rounds of user31 and user32
    listed = [(contest.slug, state) for contest, state in listed_contests(now)]
    assert listed == [("demo", ContestState.OPEN), ("cchc-2025", ContestState.PUBLISHED)]

    again = load_demo(now, ZONE)
    assert again["accounts"] == again["questions"] == 0
    assert again["contest"] == first["contest"]
    assert again["past_contest"] == first["past_contest"]
    assert (
        db_session.scalar(select(func.count(Attempt.id)).where(Attempt.contest_id == past.id)) == 32
    )
    assert db_session.scalar(select(func.count(Question.id))) == first["questions"]


def _reviews(db_session, contest_id: int) -> dict[str, RoundReview]:
    rows = db_session.execute(
        select(User.username, RoundReview)
        .join(RoundReview, RoundReview.user_id == User.id)
        .where(RoundReview.contest_id == contest_id)
    ).all()
    return dict(rows)


def test_demo_review_queues_hold_flagged_rounds_decided_last_year_and_pending_now(
    client, db_session
):
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    counts = load_demo(now, ZONE)
    past = db_session.get(Contest, counts["past_contest"])
    demo = db_session.get(Contest, counts["contest"])

    # Last year's: two rounds flagged for real, each decided through the review service.
    decided = _reviews(db_session, past.id)
    assert set(decided) == {"user31", "user32"}
    excluded, accepted = decided["user31"], decided["user32"]
    assert excluded.decision is ReviewDecision.EXCLUDED
    assert "too_fast" in excluded.flags
    assert excluded.held
    assert accepted.decision is ReviewDecision.ACCEPTED
    assert accepted.flags == ["unshown_answers"]
    assert accepted.evidence["unshown_answers"] == 10
    assert all(each.reason and each.decided_by.username == "organizer" for each in decided.values())
    assert all(
        each.decided_at < past.quiz_closes_at + timedelta(days=20) for each in decided.values()
    )
    assert review.pending_count(past) == 0
    logged = db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.contest_id == past.id, AuditEntry.action == "round_review_decided"
        )
    ).all()
    assert sorted((entry.target, entry.details["decision"]) for entry in logged) == sorted(
        [
            (f"attempt:{excluded.attempt_id}", review.EXCLUDE_ROUND),
            (f"attempt:{accepted.attempt_id}", review.ACCEPT),
        ]
    )
    # The excluded round is out of the ranking and of the published prizes; the accepted one ranks.
    ranking = individual_leaderboard(past, limit=100)
    ranked_rounds = {line.attempt_id for line in ranking}
    assert excluded.attempt_id not in ranked_rounds
    assert accepted.attempt_id in ranked_rounds
    assert len(ranking) == 31
    assert db_session.get(BestRound, (past.id, excluded.user_id)) is None
    # It would have come first: the approval waited for its decision.
    assert review.would_be_place(past, excluded.attempt) == 1
    published = workflow.published_snapshot(past, now).content["prizes"]
    assert excluded.user_id not in {award["entry_id"] for award in published}

    # This year's: two flagged rounds wait, with their timelines, held out of the ranking.
    pending = _reviews(db_session, demo.id)
    assert set(pending) == {"user199", "user200"}
    assert pending["user199"].flags == ["too_fast"]
    assert "regular_timing" in pending["user200"].flags
    assert all(each.decision is ReviewDecision.PENDING for each in pending.values())
    assert all(len(each.evidence["answers"]) == 10 for each in pending.values())
    assert review.pending_count(demo) == 2
    queued = {line.review.attempt_id for line in review.review_queue(demo)}
    assert queued == {each.attempt_id for each in pending.values()}
    assert individual_leaderboard(demo, limit=10) == []

    # The organizer finds them on the queue's pages.
    db_session.commit()
    organizer = db_session.scalar(select(User).where(User.username == "organizer"))
    ApiClient(client).login(organizer, DEMO_PASSWORD)
    queue = client.get("/contests/demo/organizer/review/").get_data(as_text=True)
    assert demo_name(199) in queue
    assert demo_name(200) in queue
    archive = f"/contests/{past.slug}/organizer/review/?status="
    excluded_page = client.get(archive + "excluded").get_data(as_text=True)
    accepted_page = client.get(archive + "accepted").get_data(as_text=True)
    assert demo_name(31) in excluded_page
    assert demo_name(31) not in accepted_page
    assert demo_name(32) in accepted_page
    assert demo_name(32) not in excluded_page

    # Loaded again (the next day too): nothing is played or decided twice.
    load_demo(now + timedelta(days=1), ZONE)
    assert db_session.scalar(select(func.count()).select_from(RoundReview)) == 4
    assert (
        db_session.scalar(select(func.count(Attempt.id)).where(Attempt.contest_id == demo.id)) == 2
    )
    assert (
        len(
            db_session.scalars(
                select(AuditEntry).where(AuditEntry.action == "round_review_decided")
            ).all()
        )
        == 2
    )


def test_the_platform_bank_is_clean_and_large():
    """Every question: a topic, four distinct choices, one key, a difficulty and a citation."""
    questions = []
    for path in sorted(BANK_DIR.glob("*.toml")):
        with path.open("rb") as stream:
            for item in check_questions(read_question_file(stream, path.name)):
                assert isinstance(item, CheckedQuestion), item
                questions.append(item)
    assert len(questions) >= 300
    assert len({q.topic for q in questions}) == 10
    for question in questions:
        assert len(question.choices) == 4
        assert question.difficulty in ("easy", "medium", "hard")
        assert question.citation
        assert question.text == unicodedata.normalize("NFC", question.text)


def test_missing_secret_key_stops_a_production_start(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        resolve_secret_key({"SECRET_KEY": None, "DEMO": False}, str(tmp_path), debug=False)


def test_demo_secret_key_is_generated_once(tmp_path):
    first = resolve_secret_key({"SECRET_KEY": None, "DEMO": True}, str(tmp_path), debug=False)
    second = resolve_secret_key({"SECRET_KEY": None, "DEMO": True}, str(tmp_path), debug=False)
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
