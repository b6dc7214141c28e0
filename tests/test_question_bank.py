"""The question bank through the organizer's pages and the CLI: import, edit, rules, export."""

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from contest.domain.question_files import read_question_file
from contest.domain.question_files.records import CheckedQuestion
from contest.domain.question_files.tabular import HEADERS, QUESTION_SHEET
from contest.domain.question_files.validation import check_questions
from contest.models import Answer, Attempt, AttemptState, DrawQuota, Question, Role, ServedQuestion
from contest.questions import services
from tests.helpers import (
    ApiClient,
    form_token,
    in_contest,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)

BANK = "/organizer/questions/"


def xlsx_file(rows: list[list], headers: list | None = None) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = QUESTION_SHEET
    sheet.append(headers or list(HEADERS.values()))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def row(text: str, answer: str = "B", topic: str = "Luật Viên chức", choices=None) -> list:
    options = list(choices or ("Phương án một", "Phương án hai", "Phương án ba", "Phương án bốn"))
    options += [None] * (6 - len(options))
    return [topic, text, *options, answer, "Dễ", "Luật Viên chức 2010, Điều 2"]


FIVE_ROWS_TWO_BAD = [
    row("Viên chức làm việc tại đâu?"),
    row("Câu hỏi không có đáp án đúng?", answer=""),
    row("Hợp đồng làm việc có mấy loại?"),
    row("Câu hỏi chỉ có một phương án?", answer="A", choices=("Chỉ một",)),
    row("Viên chức được đánh giá hằng năm không?"),
]


@pytest.fixture
def organizer(api):
    user = make_user(Role.ORGANIZER)
    api.login(user)
    return user


def upload(client, content, name: str, topic: str = ""):
    token = form_token(client, BANK + "import")
    return client.post(
        BANK + "import",
        data={"csrf_token": token, "file": (content, name), "default_topic": topic},
        content_type="multipart/form-data",
    )


def confirm(client, preview_url: str, mode: str):
    token = form_token(client, preview_url)
    return client.post(preview_url, data={"csrf_token": token, "mode": mode})


def bank_size(db_session) -> int:
    return db_session.scalar(select(func.count(Question.id)))


@pytest.mark.parametrize(
    ("roles", "status"),
    [((), 302), ((Role.PARTICIPANT,), 403), ((Role.JUDGE,), 403), ((Role.ORGANIZER,), 200)],
)
@pytest.mark.parametrize(
    "path",
    [
        BANK,
        BANK + "import",
        BANK + "new",
        BANK + "export.xlsx",
        BANK + "template.xlsx",
        "/contests/{slug}/organizer/questions/statistics",
        "/contests/{slug}/organizer/questions/draw-rules",
    ],
)
def test_only_organizers_reach_the_bank(client, api, roles, status, path):
    contest = make_contest()
    if roles:
        api.login(make_user(*roles))
    assert client.get(path.format(slug=contest.slug)).status_code == status


def test_xlsx_with_two_bad_rows_previews_refuses_all_and_imports_the_valid_ones(
    client, organizer, db_session
):
    before = bank_size(db_session)
    response = upload(client, xlsx_file(FIVE_ROWS_TWO_BAD), "ngân hàng.xlsx")
    assert response.status_code == 302
    preview_url = response.headers["Location"]

    page = client.get(preview_url).get_data(as_text=True)
    assert "ngân hàng.xlsx, trang «Câu hỏi», dòng 3" in page
    assert "Chưa có phương án nào được đánh dấu là đáp án đúng." in page
    assert "ngân hàng.xlsx, trang «Câu hỏi», dòng 5" in page
    assert "Câu hỏi có 1 phương án; cần ít nhất 2." in page
    assert "Chỉ nhập 3 câu hỏi hợp lệ" in page

    refused = confirm(client, preview_url, "all")
    assert refused.headers["Location"].endswith(preview_url)
    assert bank_size(db_session) == before

    done = confirm(client, preview_url, "valid_only")
    assert done.status_code == 302
    assert bank_size(db_session) == before + 3
    bank = client.get(BANK + "?q=viên+chức").get_data(as_text=True)
    assert "Viên chức làm việc tại đâu?" in bank
    assert "không có đáp án đúng" not in bank
    assert client.get(preview_url).status_code == 404  # the pending file is gone


def test_a_clean_file_is_imported_whole_with_the_default_topic(client, organizer, db_session):
    gift = "::a:: Câu hỏi GIFT thứ nhất? {=Đúng là nó ~Không phải ~Cũng không}\n"
    response = upload(client, io.BytesIO(gift.encode()), "bank.gift", topic="Chủ đề chung")
    preview_url = response.headers["Location"]
    assert "Nhập 1 câu hỏi" in client.get(preview_url).get_data(as_text=True)
    confirm(client, preview_url, "all")
    question = db_session.scalar(select(Question).where(Question.text.like("Câu hỏi GIFT%")))
    assert question.topic == "Chủ đề chung"
    assert question.correct_choice.text == "Đúng là nó"


def test_a_legacy_encoded_file_is_named_and_cannot_be_imported(client, organizer, db_session):
    tcvn3 = "Chñ ®Ò;C©u hái;A;B;§¸p ¸n\nLuËt;ViÖt Nam lµ g×?;Mét;Hai;A\n".encode("cp1252")
    preview_url = upload(client, io.BytesIO(tcvn3), "cu.csv").headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "mã cũ TCVN3 (ABC)" in page
    assert "cu.csv, dòng 1" in page
    assert "Không thể nhập tệp này" in page
    before = bank_size(db_session)
    confirm(client, preview_url, "valid_only")
    assert bank_size(db_session) == before


def test_uploads_that_are_not_question_files_are_refused(client, organizer):
    response = upload(client, io.BytesIO(b"MZ\x90\x00"), "virus.exe")
    assert response.status_code == 200
    assert "Hãy dùng tệp XLSX, CSV, GIFT" in response.get_data(as_text=True)
    missing = client.post(BANK + "import", data={"csrf_token": form_token(client, BANK)})
    assert "Hãy chọn tệp để tải lên." in missing.get_data(as_text=True)


def test_a_huge_upload_is_413(app, client, organizer):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = upload(client, io.BytesIO(b"x" * 5000), "big.csv")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    assert response.status_code == 413


def test_a_forged_or_foreign_import_token_is_404(app, client, organizer):
    preview_url = upload(client, xlsx_file([row("Câu hỏi?")]), "a.xlsx").headers["Location"]
    assert client.get(BANK + "import/" + "0" * 32).status_code == 404
    assert client.get(BANK + "import/..%2F..%2Fsecret_key").status_code == 404
    other = app.test_client()
    ApiClient(other).login(make_user(Role.ORGANIZER))
    assert other.get(preview_url).status_code == 404


def test_question_text_from_a_file_never_runs_as_html(client, organizer, db_session):
    attack = '<script>alert("xss")</script><img src=x onerror=alert(1)> Câu hỏi?'
    preview_url = upload(client, xlsx_file([row(attack)]), "x.xlsx").headers["Location"]
    confirm(client, preview_url, "all")
    page = client.get(BANK).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page


def test_adding_a_question_checks_it_like_a_file(client, organizer, db_session):
    make_questions(1)
    token = form_token(client, BANK + "new")
    data = {
        "csrf_token": token,
        "topic": "__new__",
        "new_topic": "Chủ đề",
        "text": "Câu hỏi mới\nhai dòng?",
        "choice_a": "Một",
        "choice_b": "một ",
        "correct": "A",
        "difficulty": "hard",
    }
    duplicate = client.post(BANK + "new", data=data).get_data(as_text=True)
    assert "Phương án B trùng với phương án A." in duplicate
    data["choice_b"] = "Hai"
    added = client.post(BANK + "new", data=data)
    assert added.status_code == 302
    question = db_session.scalar(select(Question).where(Question.text.like("Câu hỏi mới%")))
    assert question.text == "Câu hỏi mới\nhai dòng?"
    assert question.difficulty == "hard"
    again = client.post(BANK + "new", data=data).get_data(as_text=True)
    assert "Ngân hàng đã có câu hỏi này." in again


def _edit(client, question, **changes):
    path = f"{BANK}{question.id}"
    data = {
        "csrf_token": form_token(client, path),
        "topic": question.topic,
        "text": question.text,
        "correct": "A",
        "difficulty": "",
        "citation": question.citation or "",
    }
    for letter, choice in zip("abcdef", question.choices, strict=False):
        data[f"choice_{letter}"] = choice.text
    data.update(changes)
    return client.post(path, data=data)


def test_editing_a_served_question_makes_a_new_version_and_past_rounds_keep_theirs(
    client, api, db_session, frozen_clock
):
    make_contest(frozen_clock(), questions_per_round=10)
    questions = make_questions(10)
    player = make_user(unit=make_unit())
    api.login(player)
    round_ = api.post("/attempts").get_json()
    served = round_["questions"][0]
    right = next(q for q in questions if q.id == served["id"]).correct_choice.id
    api.put(f"/attempts/{round_['id']}/answers/{served['id']}", json={"choice_id": right})
    api.post(f"/attempts/{round_['id']}/submit")
    attempt = db_session.get(Attempt, round_["id"])
    assert attempt.correct_count == 1

    api.login(make_user(Role.ORGANIZER))
    old = db_session.get(Question, served["id"])
    old_text = old.text
    response = _edit(client, old, text="Nội dung đã sửa?", correct="B")
    assert response.status_code == 302
    db_session.expire_all()
    old = db_session.get(Question, served["id"])
    new = db_session.scalar(select(Question).where(Question.replaces_id == old.id))
    assert (old.text, old.active, old.is_current) == (old_text, False, False)
    assert (new.text, new.version, new.active) == ("Nội dung đã sửa?", 2, True)
    assert new.correct_choice.position == 1
    assert response.headers["Location"].endswith(f"/{new.id}")
    assert db_session.get(Attempt, attempt.id).correct_count == 1
    assert (
        db_session.scalar(
            select(ServedQuestion.question_id).where(
                ServedQuestion.attempt_id == attempt.id, ServedQuestion.position == 1
            )
        )
        == old.id
    )
    assert client.get(f"{BANK}{old.id}").headers["Location"].endswith(f"/{new.id}")
    page = client.get(f"{BANK}{new.id}").get_data(as_text=True)
    assert "Phiên bản 1" in page
    assert old_text in page
    assert db_session.scalar(select(func.count(Answer.id))) == 1


def test_editing_an_unserved_question_changes_it_in_place(client, organizer, db_session):
    (question,) = make_questions(1)
    response = _edit(client, question, text="Đã sửa tại chỗ?")
    assert response.headers["Location"].endswith(f"/{question.id}")
    db_session.expire_all()
    assert db_session.get(Question, question.id).text == "Đã sửa tại chỗ?"
    assert db_session.scalar(select(func.count(Question.id))) == 1


def test_disabling_a_question_keeps_it_out_of_new_rounds(client, organizer, db_session):
    (question,) = make_questions(1)
    path = f"{BANK}{question.id}/active"
    client.post(path, data={"csrf_token": form_token(client, BANK), "active": "0"})
    assert services.question_pool() == []
    client.post(path, data={"csrf_token": form_token(client, BANK), "active": "1"})
    assert [q.question_id for q in services.question_pool()] == [question.id]
    assert client.post(path, data={"active": "0"}).status_code == 400


def test_draw_rules_the_bank_cannot_satisfy_are_refused_with_reasons(
    client, api, db_session, frozen_clock
):
    contest = make_contest(frozen_clock(), questions_per_round=4)
    make_questions(3, topic="Chủ đề A")
    make_questions(5, topic="Chủ đề B")
    organizer = make_user(Role.ORGANIZER)
    db_session.commit()  # a refusal rolls the request's session back
    api.login(organizer)
    path = in_contest(contest, "/organizer/questions/draw-rules")
    form = client.get(path).get_data(as_text=True)
    topic_field = {
        topic: name for name, topic in re.findall(r'<label for="(topic_\d+)">([^<]+)</label>', form)
    }
    data = {"csrf_token": form_token(client, path), "questions_per_round": "4"}
    data[topic_field["Chủ đề A"]] = "4"
    refused = client.post(path, data=data).get_data(as_text=True)
    assert "Chủ đề «Chủ đề A» phải có 4 câu hỏi; ngân hàng chỉ có 3 câu đang dùng." in refused
    assert db_session.scalar(select(func.count(DrawQuota.id))) == 0

    data[topic_field["Chủ đề A"]] = "2"
    data[topic_field["Chủ đề B"]] = "2"
    assert client.post(path, data=data).status_code == 302
    db_session.expire_all()
    assert contest.draw_rules().topic_quotas == {"Chủ đề A": 2, "Chủ đề B": 2}

    player = make_user(unit=make_unit())
    api.login(player)
    round_ = api.post("/attempts").get_json()
    topics = [db_session.get(Question, q["id"]).topic for q in round_["questions"]]
    assert sorted(topics) == ["Chủ đề A", "Chủ đề A", "Chủ đề B", "Chủ đề B"]
    api.post(f"/attempts/{round_['id']}/submit")

    for question in db_session.scalars(select(Question).where(Question.topic == "Chủ đề A")):
        question.active = False
    db_session.flush()
    refused_round = api.post("/attempts")
    assert refused_round.status_code == 503
    assert refused_round.get_json()["error"] == "bank_too_small"
    api.login(make_user(Role.ORGANIZER))
    dashboard = client.get(in_contest(contest, "/organizer/")).get_data(as_text=True)
    assert "Chủ đề «Chủ đề A» phải có 2 câu hỏi; ngân hàng chỉ có 0 câu đang dùng." in dashboard


def test_statistics_page_lists_suspicious_questions_first(
    client, organizer, db_session, frozen_clock
):
    contest = make_contest(frozen_clock())
    good, bad = make_questions(2)
    player = make_user(unit=make_unit())
    now = frozen_clock()
    # Thirty graded rounds (the minimum before a flag) serve both questions; everybody
    # picks B for the second one.
    for _ in range(30):
        attempt = Attempt(
            contest_id=contest.id,
            user_id=player.id,
            state=AttemptState.SUBMITTED,
            started_at=now,
            deadline_at=now + timedelta(minutes=10),
            submitted_at=now,
            question_count=2,
            correct_count=1,
            duration_ms=1000,
            served=[
                ServedQuestion(
                    question_id=q.id,
                    position=p,
                    choice_order=",".join(str(c.id) for c in q.choices),
                )
                for p, q in enumerate((good, bad), 1)
            ],
        )
        db_session.add(attempt)
        db_session.flush()
        for question, choice in ((good, good.choices[0]), (bad, bad.choices[1])):
            db_session.add(
                Answer(
                    attempt_id=attempt.id,
                    question_id=question.id,
                    choice_id=choice.id,
                    saved_at=now,
                )
            )
    db_session.flush()
    page = client.get(in_contest(contest, "/organizer/questions/statistics")).get_data(as_text=True)
    assert page.index(bad.text) < page.index(good.text)
    assert '<p class="badge closed">Phương án sai được chọn nhiều hơn đáp án</p>' in page
    assert "độ dễ 0%" in page
    assert "độ dễ 100%" in page


def test_exports_round_trip_everything_through_xlsx_and_gift(client, organizer, db_session):
    make_questions(3, choices=5, topic="Chỉ thị 10/CT-TTg")
    (special,) = make_questions(1, choices=2)
    special.text = "Dòng một: {a} ~b =c #d\nDòng hai"
    special.difficulty = "medium"
    db_session.flush()
    expected = {
        (q.topic, q.text, q.choice_texts, q.correct_index, q.difficulty, q.citation)
        for q in db_session.scalars(select(Question))
    }
    for extension in ("xlsx", "gift"):
        response = client.get(f"{BANK}export.{extension}")
        assert response.status_code == 200
        items = list(
            check_questions(read_question_file(io.BytesIO(response.data), f"b.{extension}"))
        )
        assert all(isinstance(item, CheckedQuestion) for item in items), items
        got = {
            (q.topic, q.text, q.choices, q.correct_index, q.difficulty, q.citation) for q in items
        }
        assert got == expected


def test_the_template_has_the_header_and_instructions(client, organizer):
    response = client.get(BANK + "template.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [QUESTION_SHEET, "Hướng dẫn"]
    assert [cell.value for cell in workbook[QUESTION_SHEET][1]] == list(HEADERS.values())


def test_cli_validate_import_export_and_exit_codes(app, db_session, tmp_path):
    make_questions(1)
    db_session.commit()  # the commands roll back what they do not commit
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_file(FIVE_ROWS_TWO_BAD).getvalue())
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_file([row("Câu hỏi sạch một?"), row("Câu hỏi sạch hai?")]).getvalue())

    checked = runner.invoke(args=["questions", "validate", str(bad)])
    assert checked.exit_code == 1
    assert "bad.xlsx, trang «Câu hỏi», dòng 3" in checked.output
    assert runner.invoke(args=["questions", "validate", str(good)]).exit_code == 0

    before = bank_size(db_session)
    refused = runner.invoke(args=["questions", "import", str(bad)])
    assert refused.exit_code == 1
    assert "Nothing imported." in refused.output
    assert bank_size(db_session) == before
    partial = runner.invoke(args=["questions", "import", str(bad), "--valid-only"])
    assert partial.exit_code == 1
    assert "Imported 3 questions." in partial.output
    clean = runner.invoke(args=["questions", "import", str(good), "--topic", "Khác"])
    assert clean.exit_code == 0
    assert "Imported 2 questions." in clean.output
    assert bank_size(db_session) == before + 5

    exported = tmp_path / "bank.gift"
    result = runner.invoke(args=["questions", "export", str(exported)])
    assert result.exit_code == 0
    assert f"Exported {before + 5} questions" in result.output
    assert runner.invoke(args=["questions", "export", str(tmp_path / "x.pdf")]).exit_code == 2


def test_disabling_redirects_to_the_question_never_to_a_posted_address(client, organizer):
    (question,) = make_questions(1)
    response = client.post(
        f"{BANK}{question.id}/active",
        data={"csrf_token": form_token(client, BANK), "active": "0", "next": "https://evil.test/"},
    )
    assert response.headers["Location"].endswith(f"{BANK}{question.id}")


def test_forged_form_values_get_vietnamese_messages(client, organizer, frozen_clock):
    contest = make_contest(frozen_clock())
    make_questions(12)
    path = in_contest(contest, "/organizer/questions/draw-rules")
    rules = client.post(
        path, data={"csrf_token": form_token(client, path), "questions_per_round": "mười"}
    ).get_data(as_text=True)
    assert "Hãy nhập một số nguyên." in rules
    token = form_token(client, BANK + "new")
    question = client.post(
        BANK + "new",
        data={
            "csrf_token": token,
            "topic": "__new__",
            "new_topic": "T",
            "text": "Câu?",
            "choice_a": "Một",
            "choice_b": "Hai",
            "correct": "Z",
            "difficulty": "rất khó",
        },
    ).get_data(as_text=True)
    assert question.count("Hãy chọn một trong các giá trị có sẵn.") == 2


@pytest.mark.db
def test_the_bank_search_ignores_diacritics_and_case(client, organizer, db_session):
    now = datetime.now(UTC)
    draft = services.QuestionDraft(
        topic="Luật Cán bộ, công chức",
        text="Công chức cấp xã gồm những chức danh nào?",
        choices=("Một", "Hai"),
        correct_index=0,
        citation="Luật Cán bộ, công chức 2025, Điều 61",
    )
    question = services.add_question(draft, now)
    db_session.commit()
    for query in ("cong chuc", "CÔNG CHỨC", "dieu 61", "cấp xa"):
        page = client.get(BANK, query_string={"q": query}).get_data(as_text=True)
        assert "Công chức cấp xã gồm những chức danh nào?" in page, query
    edited = replace(draft, text="Đương sự ĐỐI THOẠI ở đâu?", citation=None)
    services.edit_question(question, edited, now)
    db_session.commit()
    for query in ("đuong su", "doi thoai"):
        page = client.get(BANK, query_string={"q": query}).get_data(as_text=True)
        assert "Đương sự ĐỐI THOẠI ở đâu?" in page, query
    page = client.get(BANK, query_string={"q": "chuc danh"}).get_data(as_text=True)
    assert "chức danh nào" not in page  # the edit changed what the search finds
