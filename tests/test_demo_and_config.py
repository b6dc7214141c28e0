"""The demo's data, the bank files, and the configuration's safety rules."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from contest.config import ConfigurationError, resolve_secret_key
from contest.demo import load_demo
from contest.domain.bank_files import BankFileError, parse_bank_file
from contest.models import Question, Role, Unit, UnitGroup, User
from contest.questions.services import read_bank_dir

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_demo_loads_the_seed_units_accounts_and_bank_and_keeps_data_on_rerun(db_session):
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    first = load_demo(now, ZONE)
    assert first["units"] == 46
    assert first["accounts"] == 1 + 3 + 46 + 200
    assert first["questions"] >= 60
    groups = db_session.scalars(select(UnitGroup).order_by(UnitGroup.position)).all()
    assert [len(group.units) for group in groups] == [18, 1, 1, 8, 7, 11]
    assert all(unit.headcount > 0 for unit in db_session.scalars(select(Unit)))
    organizer = db_session.scalar(select(User).where(User.username == "organizer"))
    assert organizer.roles == {Role.ORGANIZER}
    assert organizer.check_password("demo")
    assert db_session.scalar(select(User).where(User.username == "user200")).unit is not None

    again = load_demo(now, ZONE)
    assert again["accounts"] == again["questions"] == 0
    assert again["contest"] == first["contest"]
    assert db_session.scalar(select(func.count(Question.id))) == first["questions"]


def test_every_bank_question_has_four_choices_one_key_and_a_citation():
    questions = read_bank_dir()
    assert len(questions) >= 60
    assert len({q.topic for q in questions}) >= 8
    for question in questions:
        assert len(question.choices) == 4
        assert 0 <= question.correct_index < 4
        assert question.citation


VALID = """
topic = "Chủ đề"
[[questions]]
text = "Câu hỏi?"
choices = ["A", "B", "C"]
answer = 2
citation = "Luật X, Điều 1"
"""


def test_bank_file_parses_and_normalises():
    (question,) = parse_bank_file("x.toml", VALID)
    assert question.correct_index == 1
    assert question.choices == ("A", "B", "C")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("answer = 2", "answer = 4"), "answer must be a choice number"),
        (("answer = 2", "answer = 0"), "answer must be a choice number"),
        (('["A", "B", "C"]', '["A", "a", "C"]'), "duplicated choice"),
        (('["A", "B", "C"]', '["A"]'), "needs 2 to 6 choices"),
        (('["A", "B", "C"]', '["A", " ", "C"]'), "empty choice"),
        (('citation = "Luật X, Điều 1"', 'citation = ""'), "missing citation"),
        (('text = "Câu hỏi?"', 'text = ""'), "empty question text"),
        (("[[questions]]", "[[questions]"), "not valid TOML"),
    ],
)
def test_bank_file_problems_name_the_question(change, problem):
    with pytest.raises(BankFileError) as error:
        parse_bank_file("x.toml", VALID.replace(*change))
    assert problem in str(error.value)
    if problem != "not valid TOML":
        assert error.value.location == "x.toml, question 1"


def test_missing_secret_key_stops_a_production_start(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        resolve_secret_key({"SECRET_KEY": None, "DEMO": False}, str(tmp_path), debug=False)


def test_demo_secret_key_is_generated_once(tmp_path):
    first = resolve_secret_key({"SECRET_KEY": None, "DEMO": True}, str(tmp_path), debug=False)
    second = resolve_secret_key({"SECRET_KEY": None, "DEMO": True}, str(tmp_path), debug=False)
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
