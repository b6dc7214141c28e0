"""The bank follows the law in force: the basis stored with each question, the documents page
and its supersede flow with the review list, the reference date of a contest and what it keeps
out of the draw, the bank files and exports that carry the basis, and the bank check."""

import io
import re
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contest.clock import utc_now
from contest.domain.question_files import read_question_file
from contest.domain.question_files.validation import check_questions
from contest.extensions import db
from contest.models import AuditEntry, LegalDocument, Question, Role
from contest.questions import services
from contest.questions.legal import review_list
from tests.helpers import form_token, in_contest, make_contest, make_questions, make_unit, make_user

BANK = "/organizer/questions/"
ROOT = Path(__file__).resolve().parents[1]

BASIS_FILE = """topic = "Cơ chế một cửa"

[[questions]]
text = "Bộ phận Một cửa cấp tỉnh có tên là gì?"
choices = ["Trung tâm Phục vụ hành chính công", "Văn phòng tỉnh", "Sở Nội vụ", "Sở Tư pháp"]
answer = 1
difficulty = "easy"
citation = "Nghị định 61/2018/NĐ-CP ngày 23/4/2018, khoản 2 Điều 7"

[questions.basis]
in_force_from = 2018-06-21
source = "Bản gốc trên Cổng thông tin điện tử Chính phủ"

[[questions]]
text = "Câu hỏi theo văn bản mới về một cửa?"
choices = ["Phương án một", "Phương án hai", "Phương án ba", "Phương án bốn"]
answer = 2
citation = "Văn bản mới"

[questions.basis]
type = "Nghị định"
number = "118/2025/NĐ-CP"
article = "3"
point = "a"

[[questions]]
text = "PAPI do tổ chức nào thực hiện?"
choices = ["UNDP và CECODES", "VCCI", "Bộ Nội vụ", "Văn phòng Chính phủ"]
answer = 1
citation = "Báo cáo Chỉ số PAPI thường niên, phần giới thiệu"
"""


@pytest.fixture
def organizer(api):
    user = make_user(Role.ORGANIZER)
    api.login(user)
    return user


def import_text(text: str, name: str = "mot-cua.toml") -> services.ImportReport:
    return services.import_file(io.BytesIO(text.encode()), name, services_now())


def services_now():
    return utc_now()


def document(number: str) -> LegalDocument:
    return db.session.scalars(select(LegalDocument).where(LegalDocument.number == number)).one()


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def with_basis(questions: list[Question], doc: LegalDocument, **window) -> list[Question]:
    for question in questions:
        question.legal_document_id = doc.id
        question.basis_in_force_from = window.get("start")
        question.basis_in_force_until = window.get("end")
    db.session.flush()
    return questions


@pytest.mark.parametrize(
    ("roles", "status"),
    [((), 302), ((Role.PARTICIPANT,), 403), ((Role.JUDGE,), 403), ((Role.ORGANIZER,), 200)],
)
@pytest.mark.parametrize(
    "path",
    [BANK + "documents", BANK + "review", BANK + "export.toml", "{contest}/legal-basis"],
)
def test_only_organizers_reach_the_legal_basis_pages(client, api, roles, status, path):
    contest = make_contest()
    if roles:
        api.login(make_user(*roles))
    path = path.format(contest=in_contest(contest, "/organizer/settings"))
    assert client.get(path).status_code == status


def test_an_import_stores_the_basis_its_documents_and_flags_what_has_none(db_session):
    report = import_text(BASIS_FILE)
    assert report.imported == 3
    one_stop, new, papi = db_session.scalars(select(Question).order_by(Question.id)).all()[-3:]
    decree = one_stop.legal_document
    assert (decree.kind, decree.number, decree.issued_on) == (
        "Nghị định",
        "61/2018/NĐ-CP",
        date(2018, 4, 23),
    )
    assert (one_stop.basis_article, one_stop.basis_clause) == ("7", "2")
    assert one_stop.basis_in_force_from == date(2018, 6, 21)
    assert one_stop.source_note == "Bản gốc trên Cổng thông tin điện tử Chính phủ"
    assert one_stop.review_reason is None
    assert (new.legal_document.number, new.basis_article, new.basis_point) == (
        "118/2025/NĐ-CP",
        "3",
        "a",
    )
    assert papi.legal_document is None
    assert papi.review_reason == "no_basis"


def test_a_basis_field_that_cannot_be_read_is_a_vietnamese_problem(client, organizer):
    bad = BASIS_FILE.replace("in_force_from = 2018-06-21", 'in_force_from = "21/13/2018"')
    token = form_token(client, BANK + "import")
    response = client.post(
        BANK + "import",
        data={"csrf_token": token, "file": (io.BytesIO(bad.encode()), "mot-cua.toml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert (
        "Không đọc được căn cứ pháp lý: «21/13/2018» ở trường in_force_from"
        in response.get_data(as_text=True)
    )


@pytest.mark.parametrize("extension", ["toml", "xlsx"])
def test_exports_carry_the_basis_and_read_back_the_same(client, organizer, db_session, extension):
    import_text(BASIS_FILE)
    exported = client.get(f"{BANK}export.{extension}")
    assert exported.status_code == 200
    read = list(check_questions(read_question_file(io.BytesIO(exported.data), f"x.{extension}")))
    by_text = {item.text: item for item in read}
    one_stop = by_text["Bộ phận Một cửa cấp tỉnh có tên là gì?"]
    assert one_stop.basis.document.number == "61/2018/NĐ-CP"
    assert (one_stop.basis.article, one_stop.basis.clause) == ("7", "2")
    assert one_stop.basis.in_force_from == date(2018, 6, 21)
    assert one_stop.source_note == "Bản gốc trên Cổng thông tin điện tử Chính phủ"
    assert by_text["PAPI do tổ chức nào thực hiện?"].basis is None


def test_gift_keeps_the_citation_text(client, organizer, db_session):
    import_text(BASIS_FILE)
    gift = client.get(BANK + "export.gift").get_data(as_text=True)
    assert "####Nghị định 61/2018/NĐ-CP ngày 23/4/2018, khoản 2 Điều 7" in gift
    assert "####Văn bản mới" in gift


def test_superseding_a_document_flags_its_questions_at_once_and_lists_them_for_review(
    client, organizer, db_session
):
    import_text(BASIS_FILE)
    old = document("61/2018/NĐ-CP")
    old.in_force_from = date(2018, 6, 21)
    untouched = db_session.scalars(
        select(Question).where(Question.text == "Câu hỏi theo văn bản mới về một cửa?")
    ).one()
    db_session.commit()  # a refused change rolls the request's session back

    page = client.get(BANK + "documents").get_data(as_text=True)
    assert "Nghị định 61/2018/NĐ-CP ngày 23/04/2018" in page
    token = form_token(client, BANK + "documents")
    added = client.post(
        BANK + "documents",
        data={"csrf_token": token, "kind": "Nghị định", "number": "200/2026/NĐ-CP", "name": ""},
    )
    assert added.status_code == 302
    new = document("200/2026/NĐ-CP")
    assert new.year == 2026

    prefix = f"supersede-{old.id}-"
    refused = client.post(
        f"{BANK}documents/{old.id}/supersede",
        data={"csrf_token": token, prefix + "successor": new.id, prefix + "on": "2018-01-01"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Văn bản có hiệu lực từ ngày 21/06/2018: chỉ có thể bị thay thế sau ngày đó." in refused
    assert old.superseded_by_id is None

    done = client.post(
        f"{BANK}documents/{old.id}/supersede",
        data={"csrf_token": token, prefix + "successor": new.id, prefix + "on": "01/07/2026"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "1 câu hỏi chờ rà soát" in done
    db_session.expire_all()
    old = document("61/2018/NĐ-CP")
    assert (old.superseded_by.number, old.in_force_until) == ("200/2026/NĐ-CP", date(2026, 7, 1))
    flagged = services_review_ids()
    one_stop = db_session.scalars(
        select(Question).where(Question.legal_document_id == old.id)
    ).one()
    assert one_stop.id in flagged
    assert untouched.id not in flagged
    assert one_stop.review_reason == "document_superseded"
    assert "Văn bản làm căn cứ đã được thay thế" in done
    (entry,) = audit("legal_document_superseded")
    assert entry.details["questions_flagged"] == 1
    assert entry.details["superseded_by"] == [None, "Nghị định 200/2026/NĐ-CP"]

    # A loop is refused: the new one cannot be superseded by the one it supersedes.
    prefix = f"supersede-{new.id}-"
    loop = client.post(
        f"{BANK}documents/{new.id}/supersede",
        data={"csrf_token": token, prefix + "successor": old.id, prefix + "on": "2027-01-01"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "không thể được thay thế bởi chính nó hoặc bởi văn bản mà nó đã thay thế" in loop

    reviewed = client.post(
        f"{BANK}{one_stop.id}/reviewed", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Câu hỏi đã được đưa ra khỏi danh sách rà soát." in reviewed.get_data(as_text=True)
    assert one_stop.id not in services_review_ids()
    assert audit("question_reviewed")[0].details == {"reason": "document_superseded"}
    assert (
        client.post(f"{BANK}{one_stop.id}/reviewed", data={"csrf_token": token}).status_code == 400
    )


def services_review_ids() -> set[int]:
    return {question.id for question in review_list()}


def test_a_document_form_with_neither_number_nor_name_is_refused_in_vietnamese(client, organizer):
    token = form_token(client, BANK + "documents")
    page = client.post(
        BANK + "documents",
        data={"csrf_token": token, "kind": "Luật", "number": "", "name": "", "issued_on": "x"},
    ).get_data(as_text=True)
    assert "Nhập số hiệu hoặc tên của văn bản." in page
    assert "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 15/10/2021." in page
    assert db.session.scalar(select(LegalDocument.id)) is None


def test_a_dated_contest_draws_only_questions_in_force_and_says_why_the_others_are_not(
    client, api, db_session, frozen_clock
):
    now = frozen_clock()
    contest = make_contest(now, questions_per_round=4)
    old_law = LegalDocument(kind="Luật", name="Cũ", year=2008, in_force_until=date(2025, 7, 1))
    new_law = LegalDocument(kind="Luật", name="Mới", year=2025, in_force_from=date(2025, 7, 1))
    db_session.add_all([old_law, new_law])
    db_session.flush()
    repealed = with_basis(make_questions(4, topic="Luật cũ"), old_law)
    current = with_basis(make_questions(4, topic="Luật mới"), new_law)
    contest.reference_date = date(2026, 12, 1)
    db_session.flush()

    api.login(make_user(unit=make_unit()))
    for _ in range(3):
        round_ = api.post(in_contest(contest, "/attempts")).get_json()
        assert "questions" in round_, round_
        drawn = {question["id"] for question in round_["questions"]}
        assert drawn == {question.id for question in current}
        api.post(f"/attempts/{round_['id']}/submit")

    api.login(make_user(Role.ORGANIZER))
    path = in_contest(contest, "/organizer/questions/draw-rules")
    page = client.get(path).get_data(as_text=True)
    assert "Câu hỏi hết hiệu lực vào ngày 01/12/2026" in page
    assert page.count("Căn cứ của câu hỏi đã hết hiệu lực từ ngày 01/07/2025.") == 4
    assert repealed[0].text in page

    # The quota checks count only what can be drawn.
    form = client.get(path).get_data(as_text=True)
    fields = {t: n for n, t in re.findall(r'<label for="(topic_\d+)">([^<]+)</label>', form)}
    data = {"csrf_token": form_token(client, path), "questions_per_round": "4"}
    data[fields["Luật cũ"]] = "1"
    refused = client.post(path, data=data).get_data(as_text=True)
    assert "Chủ đề «Luật cũ» phải có 1 câu hỏi; ngân hàng chỉ có 0 câu đang dùng." in refused


def test_a_history_contest_may_draw_questions_out_of_force(client, api, db_session, frozen_clock):
    contest = make_contest(frozen_clock(), questions_per_round=4)
    old_law = LegalDocument(kind="Luật", name="Cũ", year=2008, in_force_until=date(2020, 1, 1))
    db_session.add(old_law)
    db_session.flush()
    repealed = with_basis(make_questions(4), old_law)
    db_session.commit()  # a refused change rolls the request's session back
    api.login(make_user(Role.ORGANIZER))
    path = in_contest(contest, "/organizer/settings/legal-basis")
    token = form_token(client, path)
    saved = client.post(
        path,
        data={"csrf_token": token, "reference_date": "", "draws_out_of_force": "y"},
        follow_redirects=True,
    )
    assert "Đã lưu" in saved.get_data(as_text=True)
    db_session.expire_all()
    assert contest.draws_out_of_force is True
    (entry,) = audit("legal_basis_settings_changed")
    assert entry.details == {"draws_out_of_force": [False, True]}

    # Turning it off again would leave the bank unable to make a round: refused, with why.
    refused = client.post(path, data={"csrf_token": token, "reference_date": ""})
    assert "Mỗi lượt thi cần 4 câu hỏi; ngân hàng chỉ có 0 câu đang dùng." in refused.get_data(
        as_text=True
    )
    db_session.expire_all()
    assert contest.draws_out_of_force is True

    api.login(make_user(unit=make_unit()))
    round_ = api.post(in_contest(contest, "/attempts")).get_json()
    assert {q["id"] for q in round_["questions"]} == {q.id for q in repealed}


def test_the_reference_date_defaults_to_the_quiz_opening_and_is_validated_and_logged(
    client, organizer, db_session, frozen_clock
):
    contest = make_contest(frozen_clock())
    db_session.commit()  # a refused change rolls the request's session back
    opening_day = contest.quiz_opens_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert contest.effective_reference_date == opening_day
    path = in_contest(contest, "/organizer/settings/legal-basis")
    token = form_token(client, path)
    bad = client.post(path, data={"csrf_token": token, "reference_date": "31/02/2026"})
    assert "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 15/10/2021." in bad.get_data(as_text=True)
    too_early = client.post(
        path, data={"csrf_token": token, "reference_date": "1900-01-01"}, follow_redirects=True
    )
    assert "Chọn một ngày từ 02/09/1945 đến 31/12/2100." in too_early.get_data(as_text=True)
    assert contest.reference_date is None
    assert (
        client.post(path, data={"csrf_token": token, "reference_date": "01/12/2026"}).status_code
        == 302
    )
    db_session.expire_all()
    assert contest.effective_reference_date == date(2026, 12, 1)
    (entry,) = audit("legal_basis_settings_changed")
    assert entry.details == {"reference_date": [None, "2026-12-01"]}


def test_the_lint_command_exits_0_on_a_clean_bank_and_1_on_an_unfair_one(app, tmp_path):
    runner = app.test_cli_runner()
    clean = tmp_path / "bank"
    clean.mkdir()
    (clean / "a.toml").write_text(
        'topic = "Thử"\n\n[[questions]]\ntext = "Ai ban hành nghị định?"\n'
        'choices = ["Quốc hội", "Chính phủ", "Bộ Nội vụ"]\nanswer = 2\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["questions", "lint", str(clean)])
    assert result.exit_code == 0, result.output
    assert "Ngân hàng đạt." in result.output
    # The key twice as long as its distractors, on every question of a topic.
    (clean / "b.toml").write_text(
        'topic = "Lộ đáp án"\n\n[[questions]]\ntext = "Cơ quan nào ban hành luật?"\n'
        'choices = ["Bộ", "Sở", "Quốc hội, theo Hiến pháp", "Xã"]\nanswer = 3\n',
        encoding="utf-8",
    )
    unfair = runner.invoke(args=["questions", "lint", str(clean)])
    assert unfair.exit_code == 1
    assert "2 câu hỏi; đáp án đúng là phương án dài nhất ở 50,0%" in unfair.output
    assert "Ngân hàng chưa đạt." in unfair.output
    assert runner.invoke(args=["questions", "lint", str(clean / "b.toml")]).exit_code == 1


def test_the_platform_bank_is_clean_and_every_question_has_a_source_note(app):
    result = app.test_cli_runner().invoke(args=["questions", "lint"])
    assert result.exit_code == 0, result.output
    assert "100,0% có ghi chú nguồn" in result.output
    assert "Ngân hàng đạt." in result.output


def test_the_statistics_page_shows_the_bank_check(client, organizer, db_session, frozen_clock):
    contest = make_contest(frozen_clock())
    make_questions(3)
    page = client.get(in_contest(contest, "/organizer/questions/statistics")).get_data(as_text=True)
    assert "Kiểm tra ngân hàng câu hỏi" in page
    assert "3 câu hỏi đang dùng" in page


def test_editing_a_question_keeps_its_basis_unless_its_citation_changes(
    client, organizer, db_session
):
    import_text(BASIS_FILE)
    question = db_session.scalars(
        select(Question).where(Question.text == "Câu hỏi theo văn bản mới về một cửa?")
    ).one()
    draft = services.QuestionDraft(
        question.topic,
        "Câu hỏi theo văn bản mới, sửa?",
        question.choice_texts,
        1,
        None,
        question.citation,
    )
    services.edit_question(question, draft, services_now())
    assert (question.legal_document.number, question.basis_point) == ("118/2025/NĐ-CP", "a")
    changed = services.QuestionDraft(
        question.topic, question.text, question.choice_texts, 1, None, "Luật Viên chức 2010, Điều 3"
    )
    services.edit_question(question, changed, services_now() + timedelta(seconds=1))
    db_session.flush()
    assert (question.legal_document.name, question.basis_article, question.basis_point) == (
        "Viên chức",
        "3",
        None,
    )
