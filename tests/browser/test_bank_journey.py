"""An organizer imports an XLSX with two bad rows: preview, valid-only import, find them."""

import re

from contest.extensions import db
from contest.models import Role
from tests.browser.steps import desktop_page, log_in, shot
from tests.helpers import make_user
from tests.test_question_bank import FIVE_ROWS_TWO_BAD, xlsx_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_organizer_previews_a_sheet_with_two_bad_rows_and_imports_the_valid_ones(
    browser, live_server, live_app
):
    with live_app.app_context():
        organizer = make_user(Role.ORGANIZER, full_name="Ban Tổ chức")
        phone = organizer.phone
        db.session.commit()
    with desktop_page(browser, live_server) as page:
        log_in(page, phone)
        page.wait_for_url(re.compile(r"/organizer/$"))

        page.goto("/organizer/questions/import")
        page.set_input_files(
            "#file",
            {
                "name": "câu hỏi đợt 2.xlsx",
                "mimeType": XLSX,
                "buffer": xlsx_file(FIVE_ROWS_TWO_BAD).getvalue(),
            },
        )
        page.get_by_role("button", name="Kiểm tra tệp").click()
        page.wait_for_url(re.compile(r"/organizer/questions/import/[0-9a-f]{32}$"))
        problems = page.locator("table.problems tbody tr")
        assert problems.count() == 2
        assert "câu hỏi đợt 2.xlsx, trang «Câu hỏi», dòng 3" in problems.nth(0).inner_text()
        assert "dòng 5" in problems.nth(1).inner_text()
        assert page.locator("#invalid-count").inner_text() == "2"
        shot(page, "bank-import-preview")

        page.get_by_role("button", name="Chỉ nhập 3 câu hỏi hợp lệ").click()
        page.wait_for_url(re.compile(r"/organizer/questions/\?state=active$"))
        assert "Đã nhập 3 câu hỏi." in page.locator(".flash").inner_text()

        page.fill("#q", "viên chức")
        page.locator("form.filters button[type=submit]").click()
        items = page.locator("li.bank-item")
        texts = items.all_inner_texts()
        assert any("Viên chức làm việc tại đâu?" in text for text in texts)
        assert any("Viên chức được đánh giá hằng năm không?" in text for text in texts)
        assert not any("không có đáp án đúng" in text for text in texts)
        shot(page, "bank-after-import")

        # A question added by hand: its topic chosen from the bank's, a new one only on purpose.
        page.goto("/organizer/questions/new")
        offered = page.locator("#topic option").all_inner_texts()
        assert offered[0] == "— Chọn chủ đề —"
        assert offered[-1] == "Chủ đề mới…"
        assert "Luật Viên chức" in offered  # the topic just imported
        assert page.locator("#new_topic").is_hidden()  # until "Chủ đề mới…" is chosen
        page.select_option("#topic", "__new__")
        assert page.locator("#new_topic").is_visible()
        page.fill("#new_topic", "Nghị định 30/2020/NĐ-CP")
        page.fill("#text", "Văn bản hành chính có bao nhiêu thành phần thể thức chính?")
        page.fill("#choice_a", "9")
        page.fill("#choice_b", "12")
        page.check("input[name=correct][value=A]")
        page.fill("#citation", "Nghị định 30/2020/NĐ-CP,\nĐiều 8")
        shot(page, "bank-new-question-topic")
        page.get_by_role("button", name="Lưu").click()
        assert "Đã thêm câu hỏi." in page.locator(".flash").inner_text()
        assert page.locator("#topic").input_value() == "Nghị định 30/2020/NĐ-CP"
        assert page.locator("#new_topic").is_hidden()
