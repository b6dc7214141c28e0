"""What people type is cleaned once (contest.domain.text, through every form's base): NFC, no
invisible or control characters, no mark without a letter; phone numbers in ASCII digits."""

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from contest.auth.services import import_accounts
from contest.domain.accounts_file import read_accounts_file
from contest.domain.text import clean_lines, clean_text, normalize_phone
from contest.extensions import db
from contest.models import Question, Role, Score, User, Video
from contest.models.judging import MAX_COMMENT_LENGTH
from tests.helpers import ApiClient, form_token, in_contest, make_contest, make_unit, make_user
from tests.test_judging import make_ready_video, post_sheet

NAME = "Nguyễn Văn An"
NFD_NAME = unicodedata.normalize("NFD", NAME)
ZWSP, ZWJ, RLO, PDF, BOM, BELL = "\u200b", "\u200d", "\u202e", "\u202c", "\ufeff", "\x07"
DIRTY_NAME = f"{BOM}{NFD_NAME[:3]}{ZWSP}{NFD_NAME[3:8]}{RLO}{ZWJ}{NFD_NAME[8:]}{PDF}{BELL}"
ONLY_MARKS = "\u0301\u0300\u0303\u0309\u0323"


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        (NFD_NAME, NAME),
        (DIRTY_NAME, NAME),
        (f"An{RLO}nA", "AnnA"),
        ("a\u200b\u0301", "á"),  # the invisible character no longer keeps the tone off
        (ONLY_MARKS, ""),
        (f"{ZWSP}{RLO}{BOM}", ""),
        (f"A {ONLY_MARKS}B", "A B"),
        ("e\u0301\u0302\u0303\u0304\u0305", "é\u0302\u0303"),  # a pile of marks is cut
        ("  Trần \t Thị\nBình ", "Trần Thị Bình"),
    ],
)
def test_clean_text(typed, cleaned):
    assert clean_text(typed) == cleaned
    assert unicodedata.is_normalized("NFC", clean_text(typed))


def test_clean_lines_keeps_the_line_breaks():
    assert clean_lines(f"Dòng {ZWSP}một  \r\n\n\n\n{NFD_NAME}\n") == f"Dòng một\n\n{NAME}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("０９１２３４５６７８", "0912345678"),  # full-width: the same phone
        ("0９１２３４５６７８", "0912345678"),
        ("＋８４ ９１２ ３４５ ６７８", "0912345678"),
        ("091234567\u0668", None),  # an Arabic-Indic eight is no phone digit
        ("\u0660\u0669\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", None),
        (f"0912{ZWSP}345678", "0912345678"),
    ],
)
def test_phone_digits_are_ascii_after_nfkc(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.fixture
def unit(db_session):
    return make_unit()


def register(client, unit, **overrides):
    data = {
        "csrf_token": form_token(client, "/auth/register"),
        "full_name": NAME,
        "phone": "0987654321",
        "unit_id": str(unit.id),
        "position": "Chuyên viên",
        "password": "mat-khau-1",
        "confirm": "mat-khau-1",
    }
    data.update(overrides)
    return client.post("/auth/register", data=data)


def test_full_width_digits_do_not_open_a_second_account_for_a_phone(client, unit, db_session):
    make_contest()
    assert register(client, unit).status_code == 302
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/auth/password")})
    for phone in ("0９８７６５４３２１", "+84 ９８７ ６５４ ３２１", "０９８７６５４３２１"):
        response = register(client, unit, phone=phone)  # '0' then \d: no longer a new number
        assert response.status_code == 200
    assert db_session.query(User).filter(User.full_name == NAME).count() == 1


def test_a_registered_name_is_stored_clean(client, unit, db_session):
    make_contest()
    response = register(client, unit, full_name=DIRTY_NAME, position=f"Chuyên{ZWSP} viên{RLO}")
    assert response.status_code == 302
    user = db_session.query(User).filter_by(phone="0987654321").one()
    assert user.full_name == NAME
    assert user.position == "Chuyên viên"


@pytest.mark.parametrize("name", [ONLY_MARKS, f"{ZWSP}{RLO}{ZWSP}", f"{ZWSP} {BOM}"])
def test_a_name_with_nothing_visible_is_refused_with_a_message(client, unit, db_session, name):
    make_contest()
    response = register(client, unit, full_name=name)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Chỉ có ký tự vô hình" in page
    assert db_session.query(User).count() == 0


def test_imported_account_names_are_cleaned(db_session):
    make_unit(code="SNV")
    text = f"full_name,phone,unit_code\n{DIRTY_NAME},０９１２０００１１１,snv\n"
    result = import_accounts(read_accounts_file(text.encode()))
    assert not result.problems
    user = db_session.query(User).filter_by(phone="0912000111").one()
    assert user.full_name == NAME
    empty = f"full_name,phone,unit_code\n{ONLY_MARKS},0912000222,snv\n"
    assert read_accounts_file(empty.encode()).problems[0].code == "bad_full_name"


@pytest.fixture
def video_world(db_session):
    now = datetime.now(UTC)
    contest = make_contest(
        now, video_opens_at=now - timedelta(days=1), video_closes_at=now + timedelta(days=5)
    )
    unit, other = make_unit(), make_unit()
    world = {
        "contest": contest,
        "admin": make_user(Role.UNIT_ADMIN, unit=unit),
        "organizer": make_user(Role.ORGANIZER),
        "judge": make_user(Role.JUDGE, unit=other),
        "video": make_ready_video(contest, unit, "Phim"),
    }
    db.session.commit()  # a refused sheet rolls back to here
    return world


def test_video_titles_and_descriptions_are_cleaned_and_an_invisible_title_refused(
    client, video_world
):
    api = ApiClient(client)
    api.login(video_world["admin"])
    uploads = in_contest(video_world["contest"], "/videos/uploads")
    body = {"form": "song", "filename": "a.mp4", "size": 100}
    refused = api.post(uploads, json={**body, "title": f"{ZWSP}{RLO}{ONLY_MARKS}"})
    assert refused.status_code == 422
    assert "title" in refused.get_json()["fields"]
    started = api.post(
        uploads,
        json={**body, "title": f"Phim {RLO}{NFD_NAME}", "description": f"Dòng 1{ZWSP}\nDòng 2"},
    )
    assert started.status_code == 201, started.get_json()
    video = db.session.get(Video, started.get_json()["video_id"])
    assert video.title == f"Phim {NAME}"
    assert video.description == "Dòng 1\nDòng 2"


def test_rubric_criterion_names_are_cleaned(client, video_world):
    ApiClient(client).login(video_world["organizer"])
    contest = video_world["contest"]
    data = {"csrf_token": form_token(client, in_contest(contest, "/judging/rubric"))}
    for n, criterion in enumerate(contest.rubric):
        data[f"criteria-{n}-criterion_id"] = str(criterion.id)
        data[f"criteria-{n}-criterion_name"] = criterion.name
        data[f"criteria-{n}-max_points"] = str(criterion.max_points)
    data["criteria-0-criterion_name"] = f"{RLO}Nội{ZWSP} dung" + unicodedata.normalize("NFD", "ệ")
    data["criteria-0-guidance"] = f"Xem {BOM}kỹ"
    assert client.post(in_contest(contest, "/judging/rubric"), data=data).status_code == 302
    db.session.refresh(contest)
    assert contest.rubric[0].name == "Nội dungệ"
    assert contest.rubric[0].guidance == "Xem kỹ"


def test_a_question_typed_in_the_form_is_cleaned(client, video_world):
    ApiClient(client).login(video_world["organizer"])
    path = "/organizer/questions/new"
    response = client.post(
        path,
        data={
            "csrf_token": form_token(client, path),
            "topic": "__new__",
            "new_topic": f"Luật{ZWSP} Viên chức",
            "text": unicodedata.normalize("NFD", "Viên chức là gì?") + RLO,
            "choice_a": f"Một{BOM}",
            "choice_b": "Hai",
            "correct": "A",
            "difficulty": "",
            "citation": "",
        },
    )
    assert response.status_code == 302
    question = db.session.query(Question).order_by(Question.id.desc()).first()
    assert question.topic == "Luật Viên chức"
    assert question.text == "Viên chức là gì?"
    assert question.choice_texts[0] == "Một"


def test_a_judges_comment_is_limited_with_a_vietnamese_message(client, video_world):
    ApiClient(client).login(video_world["judge"])
    video = video_world["video"]
    response = post_sheet(client, video, comment="x" * 200_000)
    assert response.status_code == 422
    assert "tối đa 5000 ký tự" in response.get_data(as_text=True)
    assert db.session.query(Score).count() == 0
    conflict = post_sheet(client, video, "conflict", reason="y" * (MAX_COMMENT_LENGTH + 1))
    assert conflict.status_code == 422
    assert db.session.query(Score).count() == 0
    page = client.get(in_contest(video.contest, f"/judging/videos/{video.id}")).get_data(
        as_text=True
    )
    assert f'maxlength="{MAX_COMMENT_LENGTH}"' in page
    ok = post_sheet(client, video, comment=f"{ZWSP}Tốt " + "z" * (MAX_COMMENT_LENGTH - 4))
    assert ok.status_code == 302
    assert db.session.query(Score).one().comment.startswith("Tốt z")
