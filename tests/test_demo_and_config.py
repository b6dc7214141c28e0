"""The demo's data, the bank files, and the configuration's safety rules."""

import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from contest.config import ConfigurationError, resolve_secret_key
from contest.demo import load_demo
from contest.domain.question_files import read_question_file
from contest.domain.question_files.records import CheckedQuestion
from contest.domain.question_files.validation import check_questions
from contest.models import (
    Attempt,
    Contest,
    ContestState,
    Question,
    ReviewPolicy,
    Role,
    Unit,
    UnitGroup,
    User,
)
from contest.public.services import listed_contests
from contest.questions.services import BANK_DIR
from contest.results import workflow

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
    assert rounds == 30
    listed = [(contest.slug, state) for contest, state in listed_contests(now)]
    assert listed == [("demo", ContestState.OPEN), ("cchc-2025", ContestState.PUBLISHED)]

    again = load_demo(now, ZONE)
    assert again["accounts"] == again["questions"] == 0
    assert again["contest"] == first["contest"]
    assert again["past_contest"] == first["past_contest"]
    assert (
        db_session.scalar(select(func.count(Attempt.id)).where(Attempt.contest_id == past.id)) == 30
    )
    assert db_session.scalar(select(func.count(Question.id))) == first["questions"]


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
