"""Issue 12's journey, from an empty database: the first organizer is created on the command
line, imports the units, the questions and the accounts, creates and sets up a contest; a
participant plays a round and their unit's admin resets their password; the organizer closes
the contest, publishes its results, copies it for next year, and last year's results stay on
the home page's archive."""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import make_live_app, serving
from tests.browser.steps import desktop_page, shot, watch_csp

BANK_FILE = Path(__file__).resolve().parents[2] / "question_bank" / "luat-vien-chuc.toml"
SLUG = "cchc-2026"
NEXT_SLUG = "cchc-2027"
ORGANIZER_PASSWORD = "ban-to-chuc-2026"
UNITS_CSV = (
    "Mã nhóm;Tên nhóm;Mã đơn vị;Tên đơn vị;Biên chế\n"
    "SO;Sở, ban, ngành;SNV;Sở Nội vụ;45\n"
    "SO;Sở, ban, ngành;STP;Sở Tư pháp;38\n"
    "HUYEN;UBND cấp huyện;HDD;UBND huyện Đống Đa;120\n"
    "HUYEN;UBND cấp huyện;HCG;UBND huyện Cầu Giấy;90\n"
)
ACCOUNTS_CSV = (
    "full_name,phone,unit_code,position,username,roles\n"
    "Nguyễn Thị Lan,0912 000 111,SNV,Chuyên viên,,participant\n"
    "Trần Văn Bình,0912 000 222,SNV,Chuyên viên,,participant\n"
    "Lê Minh Quân,0912 000 333,SNV,Chánh Văn phòng,qt-snv,unit_admin\n"
    "Phạm Thu Hà,0912 000 444,STP,Chuyên viên,,participant\n"
)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the app's TIMEZONE
LAN, LAN_PHONE = "Nguyễn Thị Lan", "0912000111"


def step(page, n: int, name: str) -> None:
    """A screenshot of the journey, numbered in its order."""
    shot(page, f"organizer-journey-{n:02d}-{name}")


def local_input(moment: datetime) -> str:
    """A moment as an organizer types it, dd/mm/yyyy HH:MM in the contest's time zone."""
    return moment.astimezone(ZONE).strftime("%d/%m/%Y %H:%M")


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory):
    """A migrated, empty database: no account, no unit, no question, no contest."""
    app = make_live_app(tmp_path_factory.mktemp("empty"))
    with serving(app) as url:
        yield app, url


def create_organizer_on_the_command_line(app) -> str:
    """`flask accounts create-organizer --generate-password`; the one-time password it prints."""
    result = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create-organizer",
            "--username",
            "btc",
            "--full-name",
            "Ban Tổ chức Hội thi",
            "--generate-password",
        ]
    )
    assert result.exit_code == 0, result.output
    return re.search(r"One-time password[^:]*: (\S+)", result.output).group(1)


def change_one_time_password(page, one_time: str, new: str) -> None:
    """The password page every one-time password leads to."""
    page.wait_for_url(re.compile(r"/auth/password"))
    assert "dùng một lần" in page.locator("main").inner_text()
    page.fill("#current_password", one_time)
    page.fill("#new_password", new)
    page.fill("#confirm", new)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/auth/password" not in url)


def log_in(page, login: str, password: str) -> None:
    page.goto("/auth/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def menu(page, name: str) -> None:
    """Follow a link of the top menu, as a person would."""
    page.locator("nav.menu").get_by_role("link", name=name, exact=True).click()


@contextmanager
def phone(browser, url: str) -> Iterator:
    """A phone-sized page in Vietnamese, as participants and unit admins mostly use."""
    context = browser.new_context(
        base_url=url, locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = watch_csp(page)
    try:
        yield page
        assert violations == []
    finally:
        context.close()


def upload(page, name: str, content: bytes, mime: str = "text/csv") -> None:
    page.set_input_files("#file", {"name": name, "mimeType": mime, "buffer": content})
    page.get_by_role("button", name="Kiểm tra tệp").click()


def test_an_organizer_runs_a_contest_from_an_empty_database(browser, empty_site):
    app, url = empty_site
    now = datetime.now(ZONE)

    # 1. The first organizer comes from the command line and logs in.
    one_time = create_organizer_on_the_command_line(app)
    with desktop_page(browser, url) as page:
        page.goto("/")
        step(page, 1, "empty-home")
        log_in(page, "btc", one_time)
        change_one_time_password(page, one_time, ORGANIZER_PASSWORD)
        step(page, 2, "organizer-home-empty")

        # 2. Units, questions, a contest, its settings, the accounts.
        menu(page, "Đơn vị")
        page.get_by_role("link", name="Nhập từ tệp").first.click()
        upload(page, "don-vi.csv", UNITS_CSV.encode())
        page.wait_for_url(re.compile(r"/organizer/units/import/[0-9a-f]+$"))
        step(page, 3, "units-preview")
        page.get_by_role("button", name="Nhập 4 đơn vị").click()
        page.wait_for_url(re.compile(r"/organizer/units/$"))
        step(page, 4, "units-imported")

        # The questions: the platform's own bank file, through the import page.
        menu(page, "Ban Tổ chức")
        page.locator("#first-steps").get_by_role("link", name="Nhập câu hỏi").click()
        upload(page, BANK_FILE.name, BANK_FILE.read_bytes(), "application/toml")
        page.wait_for_url(re.compile(r"/organizer/questions/import/[0-9a-f]{32}$"))
        step(page, 5, "questions-preview")
        page.locator("button[name=mode][value=all]").click()
        page.wait_for_url(re.compile(r"/organizer/questions/"))
        step(page, 6, "questions-imported")

        # The contest: created from the organizers' home, then its settings pages.
        menu(page, "Ban Tổ chức")
        step(page, 7, "organizer-first-steps")
        page.locator("nav.subnav").get_by_role("link", name="Hội thi mới").click()
        page.wait_for_url(re.compile(r"/organizer/contests/new$"))
        page.fill("#name", "Hội thi Cải cách hành chính 2026")
        page.fill("#slug", SLUG)
        page.fill("#organizer_name", "Sở Nội vụ")
        # Typed as the plan writes it, whatever the browser's locale: the close at 24:00.
        assert page.get_attribute("#quiz_closes_at", "placeholder") == "dd/mm/yyyy HH:MM"
        last_day = (now.astimezone(ZONE) + timedelta(days=30)).strftime("%d/%m/%Y")
        page.fill("#quiz_opens_at", local_input(now - timedelta(hours=1)))
        page.fill("#quiz_closes_at", f"{last_day} 24:00")
        step(page, 8, "new-contest")
        page.get_by_role("button", name="Tạo hội thi").click()
        page.wait_for_url(re.compile(rf"/contests/{SLUG}/organizer/settings/$"))
        assert f"24:00 ngày {last_day}" in page.locator("main table").inner_text()
        step(page, 9, "settings-index")

        settings = page.locator("main table")
        settings.get_by_role("link", name="Lượt thi", exact=True).click()
        page.fill("#questions_per_round", "10")
        page.fill("#round_time_limit_seconds", "300")
        page.fill("#max_attempts_per_day", "3")
        page.get_by_role("button", name="Lưu").click()
        assert "Đã lưu quy định lượt thi." in page.locator(".flash").inner_text()
        step(page, 10, "settings-rounds")

        page.locator("nav.subnav").get_by_role("link", name="Đáp án và bảng xếp hạng").click()
        page.select_option("#review_policy", "after_close")
        page.check("#leaderboard_public")
        page.get_by_role("button", name="Lưu").click()
        step(page, 11, "settings-visibility")

        page.locator("nav.subnav").get_by_role("link", name="Thể lệ và tài liệu").click()
        page.fill(
            "#rules_text",
            "Hội thi dành cho cán bộ, công chức, viên chức của tỉnh.\n\n"
            "Mỗi lượt thi có 10 câu hỏi trong 5 phút. Kế hoạch: https://snv.example.gov.vn/ke-hoach",
        )
        page.locator("form:has(#rules_text) button[type=submit]").click()
        step(page, 12, "settings-rules")

        page.locator("nav.subnav").get_by_role("link", name="Đơn vị tham gia").click()
        hcg = page.locator("tr", has_text="HCG")
        hcg.locator("input[type=checkbox]").uncheck()
        page.locator("tr", has_text="SNV").locator("input[type=text]").fill("50")
        page.get_by_role("button", name="Lưu").click()
        assert "Đã lưu danh sách đơn vị tham gia." in page.locator(".flash").inner_text()
        step(page, 13, "settings-participants")
        page.locator("nav.subnav").get_by_role("link", name="Cấu hình").click()
        step(page, 14, "settings-index-after")

        # The accounts: imported on their page; the one-time passwords downloaded once.
        menu(page, "Tài khoản")
        page.locator("nav.subnav").get_by_role("link", name="Nhập danh sách tài khoản").click()
        upload(page, "tai-khoan.csv", ACCOUNTS_CSV.encode())
        page.wait_for_url(re.compile(r"/organizer/people/import/[0-9a-f]+$"))
        assert "qt-snv" in page.locator("main").inner_text()  # the unit admin's login
        step(page, 15, "accounts-preview")
        page.get_by_role("button", name="Nhập 4 tài khoản").click()
        page.wait_for_url(re.compile(r"/organizer/people/credentials$"))
        step(page, 16, "accounts-credentials")
        with page.expect_download() as download:
            page.get_by_role("button", name="Tải danh sách mật khẩu (XLSX, một lần)").click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        passwords = {row[1]: row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert set(passwords) == {"Nguyễn Thị Lan", "Trần Văn Bình", "Lê Minh Quân", "Phạm Thu Hà"}

    # 3. A participant plays a round on a phone; the unit's admin resets their password.
    with phone(browser, url) as participant:
        log_in(participant, LAN_PHONE, passwords[LAN])
        change_one_time_password(participant, passwords[LAN], "lan-mat-khau-1")
        step(participant, 17, "participant-after-login")
        participant.goto(f"/contests/{SLUG}/")
        step(participant, 18, "participant-contest-home")
        participant.goto(f"/contests/{SLUG}/quiz/round")
        participant.locator("#start-button").click()
        participant.locator("li.question").first.wait_for()
        assert participant.locator("li.question").count() == 10
        for index in range(10):
            question = participant.locator("li.question").nth(index)
            # A person reads the question and its choices before choosing, unevenly: 60
            # characters a second here (the fair-play floor reads 80, plus a click).
            participant.wait_for_timeout(len(question.inner_text()) * 1000 // 60 + index % 3 * 700)
            question.locator("label.choice").first.click()
            question.locator(".save-status.status-saved").wait_for()
        participant.locator("#submit-button").click()
        participant.locator("#confirm-submit").click()  # asked, since time is left
        participant.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))
        step(participant, 19, "participant-result")

    with phone(browser, url) as admin:
        log_in(admin, "qt-snv", passwords["Lê Minh Quân"])
        change_one_time_password(admin, passwords["Lê Minh Quân"], "quan-mat-khau-1")
        step(admin, 20, "unit-admin-after-login")
        menu(admin, "Người của đơn vị")
        lan = admin.locator("tr", has_text=LAN)
        assert "10" in lan.inner_text() or "/10" in lan.inner_text()
        step(admin, 21, "unit-admin-people")
        lan.get_by_role("button", name="Đặt lại mật khẩu").click()
        reset = admin.locator("#one-time-password").inner_text()
        step(admin, 22, "unit-admin-one-time-password")

    with phone(browser, url) as participant:
        log_in(participant, LAN_PHONE, reset)
        change_one_time_password(participant, reset, "lan-mat-khau-2")
        step(participant, 23, "participant-changed-password")

    # 4. The organizer closes the contest (its windows) and publishes its results.
    with desktop_page(browser, url) as page:
        log_in(page, "btc", ORGANIZER_PASSWORD)
        page.goto("/organizer/")
        page.locator(f"tr[data-contest='{SLUG}']").get_by_role("link", name="Tổng quan").click()
        page.wait_for_url(re.compile(rf"/contests/{SLUG}/organizer/$"))
        step(page, 24, "contest-overview")
        page.locator("nav.subnav").get_by_role("link", name="Thời gian hội thi").click()
        assert page.input_value("#quiz_closes_at").endswith(" 24:00")
        page.fill("#quiz_closes_at", "31/02/2026 07:00")  # no such day: the app's own message
        page.get_by_role("button", name="Lưu").click()
        error = page.locator(".field.has-error .error")
        assert "Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM" in error.inner_text()
        assert page.input_value("#quiz_closes_at") == "31/02/2026 07:00"
        page.fill("#quiz_closes_at", local_input(datetime.now(ZONE) - timedelta(minutes=1)))
        page.get_by_role("button", name="Lưu").click()
        assert "Đã lưu thời gian" in page.locator(".flash").inner_text()
        step(page, 25, "windows-closed")
        page.goto(f"/contests/{SLUG}/organizer/")
        page.locator("nav.subnav").get_by_role("link", name="Kết quả tạm thời").click()
        page.wait_for_url(re.compile(rf"/contests/{SLUG}/results/standings$"))
        step(page, 26, "standings-closed")
        page.fill("#remarks", "Tổ Thư ký đã rà soát")
        page.locator("form[action$='/results/workflow/approve'] button").click()
        page.wait_for_url(re.compile(r"/results/standings$"))
        page.locator("form[action$='/results/workflow/publish'] button").click()
        page.wait_for_url(re.compile(r"/results/standings$"))
        assert "Đã công bố" in page.locator("main").inner_text()
        step(page, 27, "standings-published")
        page.goto(f"/contests/{SLUG}/organizer/audit")
        log = page.locator("main").inner_text()
        for action in ("Sửa quy định lượt thi", "Thay đổi đơn vị tham gia", "Công bố kết quả"):
            assert action in log, action

        # 5. Next year's contest, copied from this one.
        page.goto(f"/contests/{SLUG}/organizer/settings/")
        page.get_by_role("link", name="Sao chép hội thi này (cho năm sau)").click()
        page.wait_for_url(re.compile(r"/organizer/contests/\d+/copy$"))
        step(page, 28, "copy-form")
        assert page.input_value("#name") == "Hội thi Cải cách hành chính 2027"
        assert page.input_value("#slug") == "hoi-thi-cai-cach-hanh-chinh-2027"
        page.fill("#slug", NEXT_SLUG)
        page.get_by_role("button", name="Tạo bản sao").click()
        page.wait_for_url(re.compile(rf"/contests/{NEXT_SLUG}/organizer/settings/$"))
        copied = page.locator("main table").inner_text()
        assert "3 đơn vị" in copied  # HCG stayed out, as in 2026
        assert "10 câu hỏi, 300 giây" in copied
        step(page, 29, "copy-settings")
        page.goto("/organizer/")
        step(page, 30, "organizer-two-contests")

    # Last year's results stay on the home page's archive.
    with phone(browser, url) as visitor:
        visitor.goto("/")
        past = visitor.get_by_test_id("contests-closed")
        assert "Hội thi Cải cách hành chính 2026" in past.inner_text()
        step(visitor, 31, "home-archive")
        past.get_by_role("link", name="Kết quả đã công bố").click()
        assert LAN in visitor.locator("main").inner_text()
        step(visitor, 32, "archived-results")
