"""Videos in a real browser: a unit admin sends one in parts (progress, a resumed upload, the
size limit, a cancelled upload, a stuck one withdrawn), the platform prepares it in a background
thread, the admin watches it, and a judge of another unit watches, drafts and submits a score."""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from contest import clock
from contest.extensions import db
from contest.models import Role, User, Video, VideoForm, VideoState
from contest.storage import current_storage
from contest.videos.services import VideoDetails, start_upload
from tests.browser.steps import IN_LIVE, contest_by_slug, log_in, shot, watch_csp
from tests.helpers import PASSWORD, ApiClient, make_unit, make_user
from tests.media_samples import make_sample

UPLOADS = "/api/v1/videos/uploads"  # an upload, by its id
CONTEST_UPLOADS = f"/api/v1{IN_LIVE}/videos/uploads"  # the contest's: listed and started
PARTS = re.compile(r"/api/v1/videos/uploads/(\d+)/parts/(\d+)$")
READY_TIMEOUT = 30_000

# Reports every change of the uploader's status line and bar on the console, which (unlike the
# page) outlives the reload the uploader does when it is done.
WATCH_UPLOADER = """
addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("upload-status");
  const bar = document.getElementById("upload-bar");
  if (!status || !bar) return;
  new MutationObserver(() => console.log("upload-status: " + status.textContent))
    .observe(status, {childList: true, characterData: true, subtree: true});
  new MutationObserver(() => console.log("upload-bar: " + bar.value))
    .observe(bar, {attributes: true, attributeFilter: ["value"]});
});
"""


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("browser-samples")
    return {"mp4": make_sample(folder, "mp4")}


@pytest.fixture
def part_size(live_app):
    """Small parts, so the 43 KB sample travels in several."""

    def set_size(size: int) -> int:
        live_app.config["VIDEO_PART_SIZE"] = size
        return size

    previous = live_app.config["VIDEO_PART_SIZE"]
    yield set_size
    live_app.config["VIDEO_PART_SIZE"] = previous


def unit_admin(live_app, name: str) -> str:
    """A unit admin of a unit of their own; returns the phone to log in with."""
    with live_app.app_context():
        user = make_user(Role.UNIT_ADMIN, unit=make_unit(), full_name=name)
        db.session.commit()
        return user.phone


def wait_until_ready(live_app, video_id: int) -> None:
    """Background processing (a thread, as in production) makes the video ready."""
    deadline = time.monotonic() + READY_TIMEOUT / 1000
    while time.monotonic() < deadline:
        with live_app.app_context():
            state = db.session.get(Video, video_id).state
        if state is VideoState.READY:
            return
        assert state in (VideoState.RECEIVED, VideoState.PROCESSING), state
        time.sleep(0.2)
    raise AssertionError(f"video {video_id} is still {state}")


def upload_through_api(live_app, phone: str, path: Path, title: str) -> int:
    """A video sent by the uploader's API (no browser), ready; returns its id."""
    api = ApiClient(live_app.test_client())
    response = api.post("/session", json={"login": phone, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    api.csrf_token = response.get_json()["csrf_token"]
    data = path.read_bytes()
    details = {"title": title, "form": "song", "filename": path.name, "size": len(data)}
    started = api.post(f"{IN_LIVE}/videos/uploads", json=details)
    assert started.status_code == 201, started.get_json()
    upload = started.get_json()
    for number in range(1, upload["part_count"] + 1):
        chunk = data[(number - 1) * upload["part_size"] : number * upload["part_size"]]
        part = api.client.put(
            f"{UPLOADS}/{upload['video_id']}/parts/{number}",
            data=chunk,
            headers={"X-CSRFToken": api.csrf_token},
        )
        assert part.status_code == 200, part.get_json()
    completed = api.post(f"/videos/uploads/{upload['video_id']}/complete", json={})
    assert completed.status_code == 200, completed.get_json()
    wait_until_ready(live_app, upload["video_id"])
    return upload["video_id"]


def ready_card(page, title: str):
    return page.locator(".video-card[data-video-state='ready']", has_text=title)


def assert_plays(page, selector: str) -> None:
    """The player has loaded the picture, lasts about 2 s, and plays."""
    video = page.locator(selector)
    video.scroll_into_view_if_needed()
    page.wait_for_function(
        "video => video.readyState >= 2 && video.duration > 0", arg=video.element_handle()
    )
    assert video.evaluate("video => video.duration") == pytest.approx(2, abs=0.2)
    video.evaluate("video => video.play()")
    page.wait_for_function("video => video.currentTime > 0", arg=video.element_handle())
    assert video.evaluate("video => video.error") is None


def test_unit_admin_uploads_in_parts_sees_progress_then_watches_the_ready_video(
    page, live_app, samples, part_size
):
    size = part_size(16 * 1024)
    part_count = -(-samples["mp4"].stat().st_size // size)
    assert part_count >= 3
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_UPLOADER)

    # The second part is held back until the progress has been seen, as on a slow connection.
    held = []

    def hold_the_second_part(route):
        if PARTS.search(route.request.url).group(2) == "2" and not held:
            held.append(route)
        else:
            route.continue_()

    page.route(PARTS, hold_the_second_part)
    log_in(page, unit_admin(live_app, "Nguyễn Thị Bình"))
    page.goto(f"{IN_LIVE}/videos/")
    title = "Chuyển đổi số ở xã"
    page.fill("#title", title)
    page.fill("#description", "Phóng sự về bộ phận một cửa của xã.")
    page.select_option("#form", "narration")
    page.set_input_files("#video-file", samples["mp4"])
    page.locator("#upload-start").click()

    status = page.locator("#upload-status")
    progress = re.compile(r"^(\d+)% · [\d,]+ KB / 42,1 KB · [\d,]+ KB/giây · còn khoảng \d+ giây$")
    expect(status).to_have_text(progress)
    percent = int(progress.match(status.inner_text()).group(1))
    assert 0 < percent < 100
    assert page.locator("#upload-bar").evaluate("bar => bar.value") == percent
    assert page.locator("#upload-cancel").is_visible()
    shot(page, "unit_progress")
    held[0].continue_()
    expect(status).to_have_text("Đã tải lên. Hệ thống đang kiểm tra và chuẩn bị video.")
    assert page.locator("#upload-bar").evaluate("bar => bar.value") == 100
    ready_card(page, title).wait_for(timeout=READY_TIMEOUT)  # the page reloads by itself

    statuses = [line.split(": ", 1)[1] for line in console if line.startswith("upload-status")]
    percents = [int(text.split("%")[0]) for text in statuses if re.match(r"\d+%", text)]
    assert percents, statuses
    assert percents == sorted(percents), statuses
    assert not any(" 0 B/giây" in text for text in statuses), statuses
    bar = [int(line.split(": ")[1]) for line in console if line.startswith("upload-bar")]
    assert bar[-1] == 100, bar
    assert len(set(bar)) > 2, bar
    card = ready_card(page, title)
    expect(page.locator("#upload-cancel")).to_be_hidden()  # no upload is running any more
    assert "Thuyết minh kết hợp đồ họa 2D/3D · sample.mp4 · 42,1 KB" in card.inner_text()
    assert card.locator("img.thumb").evaluate("img => img.naturalWidth") > 0
    shot(page, "unit_ready")

    card.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r"/videos/\d+$"))
    assert page.locator("[data-video-state]").get_attribute("data-video-state") == "ready"
    # Debian's Chromium plays H.264/AAC: the MP4 is served as sent, not transcoded.
    h264 = 'video/mp4; codecs="avc1.42E01E, mp4a.40.2"'
    assert page.evaluate("t => document.createElement('video').canPlayType(t)", h264) == "probably"
    assert_plays(page, "video.player")


def test_an_interrupted_upload_resumes_without_sending_stored_parts_again(
    page, live_app, samples, part_size
):
    phone = unit_admin(live_app, "Lê Văn Cường")
    upload_through_api(live_app, phone, samples["mp4"], "Video thứ nhất của đơn vị")
    size = part_size(8 * 1024)
    part_count = -(-samples["mp4"].stat().st_size // size)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_UPLOADER)
    log_in(page, phone)
    page.goto(f"{IN_LIVE}/videos/")

    # The connection drops after the second part: every later part fails.
    stored: list[int] = []
    online = {"parts": 2}

    def flaky(route):
        if online["parts"] is None:
            route.continue_()
        elif len(stored) < online["parts"]:
            stored.append(int(PARTS.search(route.request.url).group(2)))
            route.continue_()
        else:
            route.abort("internetdisconnected")

    page.route(PARTS, flaky)
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" while uploading
    title = "Một cửa liên thông"
    page.fill("#title", title)
    page.select_option("#form", "song")
    page.set_input_files("#video-file", samples["mp4"])
    page.locator("#upload-start").click()
    expect(page.locator("#upload-status")).to_contain_text("Mất kết nối. Thử lại sau")
    assert stored == [1, 2]

    # The user gives up waiting, reloads, and chooses the same file again. The unit's two
    # places are taken (the first video, this upload): the uploader must stay to resume it.
    online["parts"] = None
    page.reload()
    counter = page.get_by_test_id("videos-sent").inner_text()
    assert "Đơn vị đã gửi 1 video." in counter  # the unfinished upload is not counted as sent
    assert "Còn 1 lượt tải lên chưa xong đang giữ chỗ" in counter
    sent: list[int] = []
    created: list[str] = []

    def count(request):
        found = PARTS.search(request.url)
        if found and request.method == "PUT":
            sent.append(int(found.group(2)))
        if request.method == "POST" and request.url.endswith(CONTEST_UPLOADS):
            created.append(request.url)

    page.on("request", count)
    assert page.locator(".video-card[data-video-state='uploading']").count() == 1
    page.set_input_files("#video-file", samples["mp4"])
    page.locator("#upload-start").click()
    ready_card(page, title).wait_for(timeout=READY_TIMEOUT)
    assert f"upload-status: Tiếp tục: đã gửi 2 / {part_count} phần." in console
    assert sent == list(range(3, part_count + 1))
    assert stored + sent == list(range(1, part_count + 1))  # each part reached the server once
    assert created == []


def test_a_file_above_the_contest_limit_is_refused_before_anything_is_sent(page, live_app, samples):
    with live_app.app_context():
        contest = contest_by_slug()
        limit, contest.video_max_bytes = contest.video_max_bytes, 20 * 1024
        db.session.commit()
    try:
        log_in(page, unit_admin(live_app, "Phạm Minh Đức"))
        page.goto(f"{IN_LIVE}/videos/")
        api_requests: list[str] = []
        page.on("request", lambda r: api_requests.append(r.url) if "/api/" in r.url else None)
        page.fill("#title", "Video quá lớn")
        page.set_input_files("#video-file", samples["mp4"])
        page.locator("#upload-start").click()
        error = page.locator("#upload-error")
        expect(error).to_have_text(
            "Tệp có dung lượng 42,1 KB; Hội thi chỉ nhận video tối đa 20 KB."
        )
        assert page.locator(".upload-progress").is_hidden()
        assert api_requests == []
    finally:
        with live_app.app_context():
            contest_by_slug().video_max_bytes = limit
            db.session.commit()


def test_a_judge_watches_scores_saves_a_draft_and_submits(browser, live_server, live_app, samples):
    title = "Cải cách hành chính ở phường"
    video_id = upload_through_api(
        live_app, unit_admin(live_app, "Đỗ Thu Trang"), samples["mp4"], title
    )
    with live_app.app_context():
        judge = make_user(Role.JUDGE, unit=make_unit(), full_name="Giám khảo Hoàng Lan")
        phone = judge.phone
        contest = contest_by_slug()
        criteria = [(c.id, c.name, int(c.max_points)) for c in contest.rubric]
        total = db.session.scalar(
            select(func.count(Video.id)).where(
                Video.contest_id == contest.id, Video.state == VideoState.READY
            )
        )
        db.session.commit()
    assert [(name, points) for _, name, points in criteria] == [
        ("Nội dung", 40),
        ("Sáng tạo", 30),
        ("Kỹ thuật", 20),
        ("Thông điệp", 10),
    ]
    context = browser.new_context(
        base_url=live_server, locale="vi-VN", viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = watch_csp(page)  # the running total and the confirmation are script files
    try:
        log_in(page, phone)
        page.goto(f"{IN_LIVE}/judging/")
        assert f"Đã chấm 0 / {total} video" in page.locator("main").inner_text()
        page.get_by_role("link", name=title).click()
        page.wait_for_url(re.compile(rf"/judging/videos/{video_id}$"))
        assert_plays(page, "#judged-video")

        output = page.locator("#score-total")
        assert output.inner_text() == "—"
        for (criterion_id, _, _), points in zip(criteria, ("32", "25"), strict=False):
            page.fill(f"#points-{criterion_id}", points)
        expect(output).to_have_text("57")
        page.fill(f"#points-{criteria[2][0]}", "17,5")
        page.fill(f"#points-{criteria[3][0]}", "9")
        expect(output).to_have_text("83,5")
        page.fill("#comment", "Hình ảnh rõ, thông điệp gần gũi.")

        page.get_by_role("button", name="Lưu nháp").click()
        expect(page.locator(".flash-success")).to_have_text("Đã lưu bản nháp.")
        assert page.input_value(f"#points-{criteria[2][0]}") == "17,5"
        assert output.inner_text() == "83,5"

        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.get_by_role("button", name="Nộp phiếu điểm").click()
        expect(page.locator(".flash-success").first).to_have_text("Đã nộp phiếu điểm.")
        assert "83,5 điểm. Phiếu điểm đã khóa." in page.locator("main").inner_text()
        for criterion_id, _, _ in criteria:
            assert page.locator(f"#points-{criterion_id}").is_disabled()
        assert page.locator("#comment").is_disabled()
        assert page.get_by_role("button", name="Nộp phiếu điểm").count() == 0
        shot(page, "score_page")

        page.get_by_role("link", name="Chấm video").first.click()
        assert f"Đã chấm 1 / {total} video" in page.locator("main").inner_text()
        page.locator("nav.subnav").get_by_role("link", name="Đã nộp").click()
        page.wait_for_url(re.compile(r"status=submitted$"))
        rows = page.locator("ul.video-list li.video-card")
        assert rows.count() == 1
        assert title in rows.inner_text()
        assert "83,5" in rows.inner_text()
        shot(page, "judge_submitted")
        assert asked == ["Nộp phiếu điểm này? Sau khi nộp sẽ bị khóa."], asked
        assert violations == []
    finally:
        context.close()


def test_a_stuck_upload_that_holds_the_last_place_can_be_withdrawn(page, live_app, samples):
    phone = unit_admin(live_app, "Vũ Hải Nam")
    with live_app.app_context():
        contest = contest_by_slug()
        user = db.session.scalar(select(User).where(User.phone == phone))
        for title in ("Bản nháp một", "Bản nháp hai"):  # started on another computer, never sent
            details = VideoDetails(title, None, VideoForm.SONG, "cu.mp4", 5000)
            start_upload(contest, user, details, 1024, current_storage(), clock.utc_now())
        db.session.commit()
    log_in(page, phone)
    page.goto(f"{IN_LIVE}/videos/")
    assert page.locator(".video-card[data-video-state='uploading']").count() == 2
    page.fill("#title", "Video mới")
    page.set_input_files("#video-file", samples["mp4"])
    page.locator("#upload-start").click()
    expect(page.locator("#upload-error")).to_contain_text(
        "Đơn vị đã có 2 video, mức tối đa Hội thi cho phép. Hãy thay thế hoặc rút một video trước."
    )

    page.get_by_role("link", name="Bản nháp hai").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rút video này").click()
    page.wait_for_url(re.compile(r"/videos/$"))
    expect(page.locator(".flash-success")).to_have_text("Đã rút video.")
    cards = page.locator("section.card > .video-list > .video-card").all_inner_texts()
    assert len(cards) == 1, cards
    assert "Bản nháp một" in cards[0]
    counter = page.get_by_test_id("videos-sent").inner_text()
    assert "Đơn vị đã gửi 0 video." in counter  # the one left is still an unfinished upload
    assert "Còn 1 lượt tải lên chưa xong đang giữ chỗ" in counter
    assert "Đã tải lên" in cards[0]  # with its percentage
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    shot(page, "unit-videos-unfinished-upload")


def test_an_upload_cancelled_while_offline_then_started_again_finishes(
    page, live_app, samples, part_size
):
    size = part_size(16 * 1024)
    part_count = -(-samples["mp4"].stat().st_size // size)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, unit_admin(live_app, "Trịnh Quốc Huy"))
    page.goto(f"{IN_LIVE}/videos/")

    online = {"now": False}
    held, sent = [], []

    def network(route):
        if not online["now"]:
            route.abort("internetdisconnected")
            return
        number = int(PARTS.search(route.request.url).group(2))
        sent.append(number)
        if number == 2 and not held:
            held.append(route)  # the new upload's second part takes a while
        else:
            route.continue_()

    page.route(PARTS, network)
    page.fill("#title", "Lần thử đầu")
    page.set_input_files("#video-file", samples["mp4"])
    page.locator("#upload-start").click()
    status = page.locator("#upload-status")
    expect(status).to_contain_text("Mất kết nối. Thử lại sau 1 giây")
    page.locator("#upload-cancel").click()
    expect(status).to_have_text("Đã hủy tải lên.")
    expect(page.locator("#upload-cancel")).to_be_hidden()
    expect(page.locator("#upload-start")).to_be_enabled()

    # The connection is back; the user starts again at once. The cancelled upload's retry,
    # still waiting on its timer, must not send its parts or disturb the new upload.
    online["now"] = True
    page.fill("#title", "Lần thử hai")
    page.locator("#upload-start").click()
    expect(page.locator("#upload-cancel")).to_be_visible()
    page.wait_for_timeout(2_500)  # past the cancelled upload's retry
    assert held, sent
    held[0].continue_()
    expect(status).to_have_text("Đã tải lên. Hệ thống đang kiểm tra và chuẩn bị video.")
    assert page.locator("#upload-error").is_hidden()
    assert sent == list(range(1, part_count + 1))
    ready_card(page, "Lần thử hai").wait_for(timeout=READY_TIMEOUT)
    cards = page.locator(".video-card").all_inner_texts()
    assert len(cards) == 1, cards
    assert errors == []


def test_a_judge_sees_every_faulty_field_at_once_and_a_conflict_needs_a_reason(
    browser, live_server, live_app, samples
):
    title = "Dịch vụ công trực tuyến"
    video_id = upload_through_api(
        live_app, unit_admin(live_app, "Lý Thu Hà"), samples["mp4"], title
    )
    with live_app.app_context():
        judge = make_user(Role.JUDGE, unit=make_unit(), full_name="Giám khảo Trần Bình")
        phone = judge.phone
        criteria = [c.id for c in contest_by_slug().rubric]
        db.session.commit()
    context = browser.new_context(
        base_url=live_server, locale="vi-VN", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = watch_csp(page)
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    try:
        log_in(page, phone)
        page.goto(f"{IN_LIVE}/judging/videos/{video_id}")
        # On a desktop the video and the rubric sit side by side.
        video_box = page.locator(".score-video").bounding_box()
        sheet_box = page.locator(".score-sheet").bounding_box()
        assert sheet_box["x"] >= video_box["x"] + video_box["width"]
        assert abs(sheet_box["y"] - video_box["y"]) < 2

        for criterion_id, typed in zip(criteria, ("abc", "31", "", "1,234"), strict=True):
            page.fill(f"#points-{criterion_id}", typed)
        posts.clear()
        page.get_by_role("button", name="Nộp phiếu điểm").click()
        expect(page.locator("#score-errors")).to_have_text("Hãy kiểm tra lại 4 ô được đánh dấu.")
        expected = (
            "Nội dung: hãy nhập một số.",
            "Sáng tạo: từ 0 đến 30 điểm.",
            "Kỹ thuật: cần cho điểm trước khi nộp.",
            "Thông điệp: tối đa hai chữ số thập phân.",
        )
        for criterion_id, message in zip(criteria, expected, strict=True):
            field = page.locator(f"#points-{criterion_id}")
            expect(page.locator(f"#points-{criterion_id}-error")).to_have_text(message)
            assert field.get_attribute("aria-invalid") == "true"
            # The app's message, never the browser's own.
            assert field.evaluate("field => field.validationMessage") == ""
        assert page.evaluate("document.activeElement.id") == f"points-{criteria[0]}"
        assert asked == []  # nothing to confirm: the sheet could not be sent
        assert posts == []
        shot(page, "judge_form_errors")

        # Put right, a field loses its mark; a draft may leave fields empty.
        page.fill(f"#points-{criteria[0]}", "35")
        page.fill(f"#points-{criteria[1]}", "")
        page.fill(f"#points-{criteria[3]}", "8,5")
        page.get_by_role("button", name="Lưu nháp").click()
        expect(page.locator(".flash-success")).to_have_text("Đã lưu bản nháp.")
        assert page.locator("[aria-invalid=true]").count() == 0
        assert page.locator("#score-total").inner_text() == "43,5"

        # A conflict of interest needs its reason.
        page.get_by_text("Khai báo xung đột lợi ích").click()
        page.get_by_role("button", name="Không chấm video này").click()
        expect(page.locator("#conflict_reason-error")).to_have_text(
            "Hãy ghi lý do bạn không thể chấm video này."
        )
        assert page.locator("#conflict_reason").get_attribute("aria-invalid") == "true"
        assert asked == []
        shot(page, "judge_conflict_reason")
        page.fill("#conflict_reason", "Em ruột tôi là tác giả video.")
        page.get_by_role("button", name="Không chấm video này").click()
        expect(page.locator(".flash-success")).to_have_text(
            "Đã ghi nhận xung đột lợi ích: bạn không chấm video này."
        )
        assert asked == ["Không chấm video này?"]
        assert "Không chấm (xung đột lợi ích): Em ruột tôi là tác giả video." in page.inner_text(
            "main"
        )

        page.goto(f"{IN_LIVE}/judging/?status=conflict")
        card = page.locator("ul.video-list li.video-card")
        assert card.count() == 1
        assert title in card.inner_text()
        expect(card.locator(".tag")).to_have_text("Không chấm (xung đột lợi ích)")
        assert "không chấm (xung đột lợi ích): 1" in page.inner_text("main")
        shot(page, "judge_panel_conflict")
        assert violations == []
    finally:
        context.close()
