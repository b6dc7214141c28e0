"""The question form and the import preview (issue 16, item 14): the topic is chosen among the
bank's topics (a new one only on purpose), the citation is a text area, and a file without
topics gets one in its preview, without a second upload; a disabled import button says why."""

import html
import io
import re

import pytest
from sqlalchemy import select

from contest.models import Question, Role
from tests.helpers import ApiClient, form_token, make_questions, make_user

BANK = "/organizer/questions/"
AIKEN = """Viên chức làm việc tại đâu?
A. Đơn vị sự nghiệp công lập
B. Doanh nghiệp tư nhân
ANSWER: A

Hợp đồng làm việc có mấy loại?
A. Một
B. Hai
ANSWER: B
""".encode()


@pytest.fixture
def organizer(client, db_session):
    make_questions(2, topic="Luật Viên chức")
    make_questions(1, topic="Chỉ thị 26/CT-TTg")
    user = make_user(Role.ORGANIZER)
    ApiClient(client).login(user)
    return user


def question_data(client, **changes) -> dict:
    data = {
        "csrf_token": form_token(client, BANK + "new"),
        "topic": "Luật Viên chức",
        "new_topic": "",
        "text": "Viên chức có được ký hợp đồng không xác định thời hạn không?",
        "choice_a": "Có",
        "choice_b": "Không",
        "correct": "A",
        "difficulty": "",
        "citation": "Luật Viên chức 2010,\nĐiều 25",
    }
    return data | changes


def newest_question(db_session) -> Question:
    return db_session.scalar(select(Question).order_by(Question.id.desc()).limit(1))


def options_of(page: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)[1]
    values = re.findall(r'<option[^>]*value="([^"]*)"', select_html)
    return [html.unescape(value) for value in values]


def test_the_topic_is_chosen_among_the_banks_topics_and_the_citation_is_a_text_area(
    client, organizer
):
    page = client.get(BANK + "new").get_data(as_text=True)
    assert options_of(page, "topic") == ["", "Chỉ thị 26/CT-TTg", "Luật Viên chức", "__new__"]
    assert "Chủ đề mới…" in page
    assert "— Chọn chủ đề —" in page
    assert re.search(r'<textarea[^>]*name="citation"', page)
    assert 'data-new-topic="new_topic"' in page
    assert 'data-new-topic-field="new_topic"' in page


def test_a_question_on_an_existing_topic_is_saved_with_its_citation_on_one_line(
    client, organizer, db_session
):
    response = client.post(BANK + "new", data=question_data(client))
    assert response.status_code == 302
    question = newest_question(db_session)
    assert question.topic == "Luật Viên chức"
    assert question.citation == "Luật Viên chức 2010, Điều 25"


def test_no_topic_chosen_or_an_unknown_one_is_refused_in_vietnamese(client, organizer, db_session):
    count = db_session.query(Question).count()
    none = client.post(BANK + "new", data=question_data(client, topic="")).get_data(as_text=True)
    assert "Hãy chọn một chủ đề, hoặc chọn «Chủ đề mới» để thêm chủ đề." in none
    forged = client.post(BANK + "new", data=question_data(client, topic="Chủ đề lạ"))
    assert forged.status_code == 200
    assert "Hãy chọn một trong các giá trị có sẵn." in forged.get_data(as_text=True)
    assert db_session.query(Question).count() == count


def test_a_new_topic_only_on_purpose(client, organizer, db_session):
    empty = client.post(BANK + "new", data=question_data(client, topic="__new__"))
    assert "Hãy nhập tên chủ đề mới." in empty.get_data(as_text=True)
    typed_in_vain = question_data(client, new_topic="Chủ đề khác")  # "new" was not chosen
    assert client.post(BANK + "new", data=typed_in_vain).status_code == 302
    assert newest_question(db_session).topic == "Luật Viên chức"
    added = question_data(
        client, topic="__new__", new_topic="Nghị định 30/2020", text="Thể thức văn bản?"
    )
    assert client.post(BANK + "new", data=added).status_code == 302
    assert newest_question(db_session).topic == "Nghị định 30/2020"
    again = question_data(client, topic="__new__", new_topic="luật viên chức", text="Câu ba?")
    assert client.post(BANK + "new", data=again).status_code == 302
    assert newest_question(db_session).topic == "Luật Viên chức"  # the known spelling


def test_an_empty_bank_offers_new_topic_first(client, db_session):
    ApiClient(client).login(make_user(Role.ORGANIZER))
    page = client.get(BANK + "new").get_data(as_text=True)
    assert options_of(page, "topic") == ["", "__new__"]
    assert re.search(r'<option selected value="__new__">|<option value="__new__" selected', page)


def test_editing_keeps_the_questions_own_topic_offered_and_chosen(client, organizer, db_session):
    question = db_session.scalar(select(Question).where(Question.topic == "Chỉ thị 26/CT-TTg"))
    page = client.get(f"{BANK}{question.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="Chỉ thị 26/CT-TTg">', page)


def preview_of(client, content: bytes, name: str, topic: str = "") -> str:
    token = form_token(client, BANK + "import")
    response = client.post(
        BANK + "import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name), "default_topic": topic},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_file_without_topics_gets_one_in_its_preview_without_a_second_upload(
    client, organizer, db_session
):
    preview = preview_of(client, AIKEN, "cau-hoi.txt")
    page = client.get(preview).get_data(as_text=True)
    assert "Một số câu hỏi trong tệp này chưa có chủ đề." in page
    assert "Chưa nhập được câu hỏi nào: hãy chọn chủ đề ở trên" in page
    button = re.search(r"<button[^>]*disabled[^>]*>([^<]*)</button>", page)
    assert button
    assert button[1] == "Chưa có câu hỏi để nhập"
    assert 'aria-describedby="import-why-not"' in button[0]

    refused = client.post(
        preview + "/topic", data={"csrf_token": form_token(client, preview), "topic": ""}
    )
    assert refused.status_code == 200
    assert "Hãy chọn một chủ đề" in refused.get_data(as_text=True)

    chosen = client.post(
        preview + "/topic",
        data={"csrf_token": form_token(client, preview), "topic": "Luật Viên chức"},
    )
    assert chosen.status_code == 302
    assert chosen.headers["Location"].endswith(preview)
    page = client.get(preview).get_data(as_text=True)
    assert "Các câu hỏi chưa có chủ đề được gán chủ đề «Luật Viên chức»." in page
    assert "Nhập 2 câu hỏi" in page
    assert "disabled" not in page.split("import-topic")[-1]
    imported = client.post(preview, data={"csrf_token": form_token(client, preview), "mode": "all"})
    assert imported.status_code == 302
    topics = db_session.scalars(
        select(Question.topic).where(Question.text.like("%Hợp đồng làm việc%"))
    ).all()
    assert topics == ["Luật Viên chức"]


def test_a_new_topic_can_be_typed_in_the_preview(client, organizer, db_session):
    preview = preview_of(client, AIKEN, "cau-hoi.txt")
    data = {"csrf_token": form_token(client, preview), "topic": "__new__", "new_topic": "  "}
    assert "Hãy nhập tên chủ đề mới." in client.post(preview + "/topic", data=data).get_data(
        as_text=True
    )
    data["new_topic"] = "Viên chức mới"
    assert client.post(preview + "/topic", data=data).status_code == 302
    page = client.get(preview).get_data(as_text=True)
    assert re.search(r'<option selected value="Viên chức mới">', page)


def test_the_topic_of_another_organizers_or_an_old_preview_is_not_found(client, organizer):
    preview_of(client, AIKEN, "cau-hoi.txt")
    token = form_token(client, BANK + "import")
    forged = client.post(BANK + "import/" + "0" * 32 + "/topic", data={"csrf_token": token})
    assert forged.status_code == 404


def test_a_file_with_no_valid_question_says_why_nothing_can_be_imported(client, organizer):
    bad = b"Question without choices?\nANSWER: A\n"
    page = client.get(preview_of(client, bad, "hong.txt", topic="T")).get_data(as_text=True)
    assert "Không có câu hỏi nào trong tệp nhập được: hãy sửa các lỗi đã liệt kê" in page
    assert re.search(r"<button[^>]*disabled[^>]*>Chưa có câu hỏi để nhập</button>", page)
    assert "Nhập 0 câu hỏi" not in page
