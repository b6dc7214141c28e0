"""A whole small contest, from before its opening to its published prizes, through the
application's own interfaces: the JSON API, the organizers', judges' and public pages, and
the scheduler's job functions. The clock is frozen and moved by hand; nothing sleeps.

The contest: 4 units, a bank of 9 real questions imported by the organizer, 3 questions per
round, 60 s per round, 2 rounds a day and 3 in all. The data are chosen so that two units end
exactly equal at the top of the collective ranking (a tie across Giải Nhất / Giải Nhì that
the organizers must decide), and every other number below follows from them:

    unit  headcount  players (best round)        video (judges)        total
    SNV   2          a1 3/3 40 s, a2 2/3 30 s    80 (80)               30 + 25 + 32 = 87
    STP   2          b1 3/3 45 s, b2 2/3 35 s    80 (70, 90)           30 + 25 + 32 = 87
    HDH   4          c1 3/3 20 s                 75 (75, 75)           7.5 + 30 + 30 = 67.5
    KCN   5          d1 1/3 60 s (abandoned)     60 (60, 60), late     6 + 10 + 24 = 40
"""

import csv
import io
import re
import tomllib
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from contest.domain.question_files.tabular import DIFFICULTY_WORDS, HEADERS, OPTION_LETTERS
from contest.models import Role
from contest.questions.services import BANK_DIR
from contest.scheduler import run_job_as
from tests.helpers import ApiClient, form_token, in_contest, make_contest, make_unit, make_user
from tests.media_samples import make_sample

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SLUG = "cai-cach-hanh-chinh-2021"
T0 = datetime(2021, 9, 15, 0, 0, tzinfo=UTC)  # 07:00 15/09/2021 local time: the quiz opens
SCHEDULER = "e2e-host:1"


# The question bank: the first question of nine of the platform's own topic files.


def real_questions(count: int = 9) -> list[dict]:
    questions = []
    for path in sorted(BANK_DIR.glob("*.toml"))[:count]:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        questions.append({"topic": data["topic"], **data["questions"][0]})
    return questions


def bank_csv(questions: list[dict]) -> io.BytesIO:
    """The questions in the platform's spreadsheet layout, as an organizer types them."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS.values())
    for question in questions:
        options = question["choices"] + [""] * (len(OPTION_LETTERS) - len(question["choices"]))
        writer.writerow(
            [
                question["topic"],
                question["text"],
                *options,
                OPTION_LETTERS[question["answer"] - 1],
                DIFFICULTY_WORDS.get(question.get("difficulty"), ""),
                question.get("citation", ""),
            ]
        )
    return io.BytesIO(text.getvalue().encode("utf-8"))


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


# People: each has a browser of their own (own cookies), as in real life.


def browser(app, user=None) -> ApiClient:
    api = ApiClient(app.test_client())
    if user is not None:
        api.login(user)
    return api


def page(api: ApiClient, path: str, status: int = 200) -> str:
    response = api.client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def post_form(api: ApiClient, form_page: str, action: str, **fields):
    """Submit a form of `form_page` (its CSRF token) to `action`; return the redirected page."""
    token = form_token(api.client, form_page)
    response = api.client.post(action, data={"csrf_token": token, **fields})
    assert response.status_code == 302, (action, response.status_code)
    return page(api, response.headers["Location"])


# Rounds through the JSON API.


def assert_no_answer_key(body) -> None:
    """Nothing in a response before grading tells which choice is right."""

    def walk(value) -> None:
        if isinstance(value, dict):
            assert not any("correct" in key for key in value), value
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(body)
    if "questions" in body:  # an attempt
        assert body["result"] is None
        for question in body["questions"]:
            assert set(question) == {"id", "position", "text", "choices"}
            for choice in question["choices"]:
                assert set(choice) == {"id", "text"}


def choice_for(question: dict, key: dict[str, str], right: bool) -> int:
    """The id of the right choice (the participant knows the answer), or of a wrong one."""
    answer = key[nfc(question["text"])]
    return next(
        choice["id"] for choice in question["choices"] if (nfc(choice["text"]) == answer) == right
    )


def start_round(api: ApiClient) -> dict:
    response = api.post(in_contest(SLUG, "/attempts"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "active"
    assert len(body["questions"]) == 3
    assert_no_answer_key(body)
    return body


def answer(
    api: ApiClient,
    attempt: dict,
    key: dict[str, str],
    correct: int,
    answered: int = 3,
    clock=None,
):
    """Save answers to the first `answered` questions, the first `correct` of them right; one a
    second on `clock`, when given."""
    for n, question in enumerate(attempt["questions"][:answered]):
        choice_id = choice_for(question, key, right=n < correct)
        response = api.put(
            f"/attempts/{attempt['id']}/answers/{question['id']}", json={"choice_id": choice_id}
        )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["choice_id"] == choice_id
        assert_no_answer_key(response.get_json())
        if clock is not None:
            clock.advance(seconds=1)


def play_round(api: ApiClient, clock, key: dict[str, str], correct: int, seconds: int) -> dict:
    """Start, read, answer every question (`correct` of them right) in the last 3 seconds,
    submit after `seconds`: a person's pace for rounds of 22 s or more (the three longest
    questions here take 20.5 s to read at the plausibility floor's speed)."""
    attempt = start_round(api)
    clock.advance(seconds=seconds - 3)
    answer(api, attempt, key, correct, clock=clock)
    resumed = api.get(f"/attempts/{attempt['id']}").get_json()  # a reload, before submitting
    assert_no_answer_key(resumed)
    assert len(resumed["answers"]) == 3
    response = api.post(f"/attempts/{attempt['id']}/submit")
    assert response.status_code == 200
    graded = response.get_json()
    assert graded["state"] == "submitted"
    assert graded["result"]["correct_count"] == correct
    assert graded["result"]["duration_ms"] == seconds * 1000
    assert graded["result"]["submitted_automatically"] is False
    assert graded["result"]["correct_choices"] is None  # the key is shown after the close only
    clock.advance(seconds=30)
    return attempt


# Videos and judging.


def upload_video(api: ApiClient, sample, title: str):
    """The upload page's journey: start, send the parts, complete (processed inline)."""
    data = sample.read_bytes()
    started = api.post(
        in_contest(SLUG, "/videos/uploads"),
        json={
            "title": title,
            "description": "Dịch vụ công trực tuyến và thanh toán trực tuyến.",
            "form": "song",
            "filename": f"{title}.mp4",
            "size": len(data),
            "content_type": "video/mp4",
        },
    )
    if started.status_code != 201:
        return started
    upload = started.get_json()
    for number in range(1, upload["part_count"] + 1):
        chunk = data[(number - 1) * upload["part_size"] : number * upload["part_size"]]
        sent = api.client.put(
            f"/api/v1/videos/uploads/{upload['video_id']}/parts/{number}",
            data=chunk,
            headers={"X-CSRFToken": api.csrf_token, "Content-Type": "application/octet-stream"},
        )
        assert sent.status_code == 200, sent.get_json()
    completed = api.post(f"/videos/uploads/{upload['video_id']}/complete")
    assert completed.status_code == 200, completed.get_json()
    return completed


def score_video(judge: ApiClient, video_id: int, points, action: str = "submit"):
    path = in_contest(SLUG, f"/judging/videos/{video_id}")
    sheet = page(judge, path)
    criteria = re.findall(r'name="(points-\d+)"', sheet)
    assert len(criteria) == 4  # the seed plan's rubric: 40 / 30 / 20 / 10
    fields = dict(zip(criteria, (str(p) for p in points), strict=True))
    token = form_token(judge.client, path)
    return judge.client.post(
        path, data={"csrf_token": token, "action": action, "comment": "", **fields}
    )


# Reading the results pages.

# A published line may carry, for phones, a breakdown under the unit's name and classes that
# choose its columns.
UNIT_LINE = re.compile(
    r"<tr><td>(\d+)</td><td>([^<]*?)\s*(?:<span[^>]*>.*?</span>)?</td>.*?"
    r"<td><strong>([^<]+)</strong></td></tr>",
    re.S,
)
CELL = r"<td(?: class=\"[^\"]*\")?>"
PRIZE_LINE = re.compile(
    rf"<tr><td>([^<]+?)(?: <span class=\"tag\">([^<]+)</span>)?</td>{CELL}(\d+)</td>"
    rf"{CELL}([^<]+)</td>{CELL}([^<]+)</td></tr>"
)


def unit_ranking(html: str) -> list[tuple[str, str, str]]:
    return UNIT_LINE.findall(html.split("<h2>Xếp hạng đơn vị</h2>", 1)[1])


def prize_lines(html: str, category_heading: str) -> list[tuple]:
    part = html.split(f"<h2>{category_heading}", 1)[1].split("</table>", 1)[0]
    return PRIZE_LINE.findall(part)


def test_a_small_contest_from_opening_to_published_prizes(app, db_session, frozen_clock, tmp_path):
    clock = frozen_clock
    clock.now = T0 - timedelta(hours=1)

    # -- The organizers' contest, set up before it opens ---------------------------------
    make_contest(
        slug=SLUG,
        name="Hội thi trực tuyến Cải cách hành chính 2021",
        quiz_opens_at=T0,
        quiz_closes_at=T0 + timedelta(days=2),
        video_opens_at=T0,
        video_closes_at=T0 + timedelta(days=1),
        results_publish_at=T0 + timedelta(days=10),
        questions_per_round=3,
        round_time_limit_seconds=60,
        submission_grace_seconds=5,
        max_attempts_per_day=2,
        max_attempts_total=3,
    )
    snv, stp, hdh, kcn = (
        make_unit(code, headcount=headcount)
        for code, headcount in (("SNV", 2), ("STP", 2), ("HDH", 4), ("KCN", 5))
    )
    snv.name, stp.name = "Sở Nội vụ", "Sở Tư pháp"
    hdh.name, kcn.name = "UBND huyện Đông Hòa", "Ban Quản lý các Khu công nghiệp"
    a1 = make_user(unit=snv, full_name="Nguyễn Văn An")
    a2 = make_user(unit=snv, full_name="Lê Thị Ánh")
    b1 = make_user(unit=stp, full_name="Trần Văn Bình")
    b2 = make_user(unit=stp, full_name="Phạm Thị Bích")
    c1 = make_user(unit=hdh, full_name="Võ Thị Cúc")
    d1 = make_user(unit=kcn, full_name="Đặng Văn Dũng")
    admins = {
        unit.code: make_user(Role.UNIT_ADMIN, unit=unit, full_name=f"Đầu mối {unit.code}")
        for unit in (snv, stp, hdh, kcn)
    }
    judge_snv = make_user(Role.JUDGE, unit=snv, full_name="Giám khảo Sở Nội vụ")
    judge_free = make_user(Role.JUDGE, full_name="Giám khảo độc lập")
    organizer = make_user(Role.ORGANIZER, full_name="Tổ Thư ký")
    db_session.commit()

    ban_to_chuc = browser(app, organizer)
    questions = real_questions()
    key = {nfc(q["text"]): nfc(q["choices"][q["answer"] - 1]) for q in questions}
    token = form_token(ban_to_chuc.client, "/organizer/questions/import")
    uploaded = ban_to_chuc.client.post(
        "/organizer/questions/import",
        data={"csrf_token": token, "file": (bank_csv(questions), "ngân hàng.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    preview_url = uploaded.headers["Location"]
    assert "Nhập 9 câu hỏi" in page(ban_to_chuc, preview_url)
    bank = post_form(ban_to_chuc, preview_url, preview_url, mode="all")
    assert "Đã nhập 9 câu hỏi." in bank

    an, anh, binh, bich, cuc, dung = (browser(app, user) for user in (a1, a2, b1, b2, c1, d1))
    before = an.get(in_contest(SLUG)).get_json()
    assert_no_answer_key(before)
    assert before["quiz"] == {
        "opens_at": "2021-09-15T00:00:00.000Z",
        "closes_at": "2021-09-17T00:00:00.000Z",
        "is_open": False,
    }
    refused = an.post(in_contest(SLUG, "/attempts"))
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "quiz_closed"
    assert refused.get_json()["message"] == "Phần thi trắc nghiệm hiện chưa mở."

    # -- 08:00 15/09: the quiz is open; participants play rounds through the API ----------
    clock.now = T0 + timedelta(hours=1)
    assert an.get(in_contest(SLUG)).get_json()["quiz"]["is_open"] is True
    play_round(cuc, clock, key, correct=3, seconds=25)
    first_round = play_round(an, clock, key, correct=2, seconds=50)
    second_round = play_round(an, clock, key, correct=3, seconds=40)
    # Prefer questions not seen yet: the second round shares none with the first.
    assert not {q["id"] for q in first_round["questions"]} & {
        q["id"] for q in second_round["questions"]
    }
    third_today = an.post(in_contest(SLUG, "/attempts"))
    assert third_today.status_code == 429
    assert third_today.get_json()["error"] == "no_attempts_left"
    assert an.get(in_contest(SLUG)).get_json()["attempts"] == {
        "max_total": 3,
        "max_per_day": 2,
        "used_total": 2,
        "used_today": 2,
        "left": 0,
    }
    play_round(anh, clock, key, correct=2, seconds=30)
    play_round(binh, clock, key, correct=3, seconds=45)
    play_round(bich, clock, key, correct=2, seconds=35)

    # -- 09:00: Dũng answers two questions (one right), then his connection drops ---------
    clock.now = T0 + timedelta(hours=2)
    abandoned = start_round(dung)
    clock.advance(seconds=20)
    answer(dung, abandoned, key, correct=1, answered=2, clock=clock)
    assert abandoned["deadline_at"] == "2021-09-15T02:01:00.000Z"
    clock.advance(seconds=41)  # past the deadline, inside the 5 s grace
    late = dung.put(
        f"/attempts/{abandoned['id']}/answers/{abandoned['questions'][2]['id']}",
        json={"choice_id": choice_for(abandoned["questions"][2], key, right=True)},
    )
    assert late.status_code == 409
    assert late.get_json()["error"] == "round_closed"
    assert run_job_as(app, SCHEDULER, "grade_overdue_rounds") == 0  # still in its grace
    clock.advance(seconds=3)  # deadline + 6 s
    assert run_job_as(app, SCHEDULER, "grade_overdue_rounds") == 1
    assert run_job_as(app, SCHEDULER, "grade_overdue_rounds") == 0  # idempotent
    graded = dung.get(f"/attempts/{abandoned['id']}").get_json()
    assert graded["state"] == "expired"
    assert graded["result"]["correct_count"] == 1
    assert graded["result"]["duration_ms"] == 60_000
    assert graded["result"]["submitted_automatically"] is True
    assert graded["result"]["correct_choices"] is None
    assert len(graded["answers"]) == 2  # what was saved in time, nothing lost

    board = browser(app).get(in_contest(SLUG, "/leaderboard")).get_json()["lines"]
    assert [
        (line["rank"], line["full_name"], line["correct_count"], line["duration_ms"])
        for line in board
    ] == [
        (1, "Võ Thị Cúc", 3, 25_000),
        (2, "Nguyễn Văn An", 3, 40_000),
        (3, "Trần Văn Bình", 3, 45_000),
        (4, "Lê Thị Ánh", 2, 30_000),
        (5, "Phạm Thị Bích", 2, 35_000),
        (6, "Đặng Văn Dũng", 1, 60_000),
    ]

    # -- 10:00: three unit admins upload their unit's video in parts ----------------------
    clock.now = T0 + timedelta(hours=3)
    sample = make_sample(tmp_path, "mp4")
    videos = {}
    for code in ("SNV", "STP", "HDH"):
        done = upload_video(browser(app, admins[code]), sample, f"Video {code}")
        assert done.get_json()["state"] == "ready"
        videos[code] = done.get_json()["video_id"]

    # -- 08:00 16/09: a new day; the video window has closed ------------------------------
    clock.now = T0 + timedelta(days=1, hours=1)
    assert an.get(in_contest(SLUG)).get_json()["attempts"]["left"] == 1  # the day's limit is fresh
    # Faster, but fewer right: not his best (and likely under the plausibility floor too).
    play_round(an, clock, key, correct=1, seconds=10)
    over_total = an.post(in_contest(SLUG, "/attempts"))
    assert over_total.status_code == 429
    assert over_total.get_json()["error"] == "no_attempts_left"

    kcn_admin = browser(app, admins["KCN"])
    too_late = upload_video(kcn_admin, sample, "Video KCN")
    assert too_late.status_code == 409
    assert too_late.get_json()["error"] == "video_window_closed"

    # The organizers extend the video deadline by notice to 07:00 18/09.
    extended = T0 + timedelta(days=3)
    windows = page(ban_to_chuc, in_contest(SLUG, "/organizer/windows"))
    shown = dict(re.findall(r'name="(\w+_at)"[^>]*value="([^"]*)"', windows))
    # The fields show dd/mm/yyyy HH:MM, and a browser sends back what they show.
    assert shown["video_closes_at"] == "16/09/2021 07:00"
    saved = post_form(
        ban_to_chuc,
        in_contest(SLUG, "/organizer/windows"),
        in_contest(SLUG, "/organizer/windows"),
        **{**shown, "video_closes_at": "18/09/2021 07:00"},
    )
    assert "Đã lưu thời gian; người dự thi thấy ngay thời gian mới." in saved
    assert an.get(in_contest(SLUG)).get_json()["video"]["closes_at"] == "2021-09-18T00:00:00.000Z"
    done = upload_video(kcn_admin, sample, "Video KCN")
    assert done.status_code == 200
    assert done.get_json()["state"] == "ready"
    videos["KCN"] = done.get_json()["video_id"]

    # -- 07:01 17/09: the quiz has closed (the videos are still open) ---------------------
    clock.now = T0 + timedelta(days=2, minutes=1)
    closed = bich.post(in_contest(SLUG, "/attempts"))
    assert closed.status_code == 403
    assert closed.get_json()["error"] == "quiz_closed"
    # Now, and only now, a participant may review the key of a round (AFTER_CLOSE).
    reviewed = an.get(f"/attempts/{first_round['id']}").get_json()
    assert reviewed["result"]["correct_choices"] == {
        str(q["id"]): choice_for(q, key, right=True) for q in first_round["questions"]
    }
    standings = post_form(
        ban_to_chuc,
        in_contest(SLUG, "/results/standings"),
        in_contest(SLUG, "/results/workflow/approve"),
    )
    assert "Hội thi chưa kết thúc: chỉ phê duyệt kết quả sau khi đóng." in standings

    # -- 08:00 18/09: everything has closed; the judges score the videos -------------------
    clock.now = extended + timedelta(hours=1)
    giam_khao_snv, giam_khao = browser(app, judge_snv), browser(app, judge_free)
    panel = page(giam_khao_snv, in_contest(SLUG, "/judging/"))
    assert "Đã chấm 0 / 3 video" in panel
    assert "Video SNV" not in panel  # never their own unit's video
    assert (
        giam_khao_snv.client.get(in_contest(SLUG, f"/judging/videos/{videos['SNV']}")).status_code
        == 403
    )
    criteria = re.findall(
        r'name="(points-\d+)"',
        page(giam_khao_snv, in_contest(SLUG, f"/judging/videos/{videos['STP']}")),
    )
    forged = giam_khao_snv.client.post(
        in_contest(SLUG, f"/judging/videos/{videos['SNV']}"),
        data={
            "csrf_token": form_token(giam_khao_snv.client, in_contest(SLUG, "/judging/")),
            "action": "submit",
            **dict(zip(criteria, ("40", "30", "20", "10"), strict=True)),
        },
    )
    assert forged.status_code == 403
    # STP: a draft first (incomplete), then the submitted sheet, which locks.
    assert score_video(giam_khao_snv, videos["STP"], (30, 20, "", ""), "draft").status_code == 302
    assert "Video STP" in page(giam_khao_snv, in_contest(SLUG, "/judging/?status=draft"))
    assert score_video(giam_khao_snv, videos["STP"], (30, 20, 15, 5)).status_code == 302
    assert score_video(giam_khao_snv, videos["STP"], (40, 30, 20, 10)).status_code == 422
    assert score_video(giam_khao_snv, videos["HDH"], (30, 20, 15, 10)).status_code == 302
    assert score_video(giam_khao_snv, videos["KCN"], (25, 15, 12, 8)).status_code == 302
    assert "Đã chấm 3 / 3 video" in page(giam_khao_snv, in_contest(SLUG, "/judging/"))
    for code, points in (
        ("SNV", (32, 24, 16, 8)),
        ("STP", (36, 27, 18, 9)),
        ("HDH", (30, 20, 15, 10)),
        ("KCN", (25, 15, 12, 8)),
    ):
        assert score_video(giam_khao, videos[code], points).status_code == 302
    assert "Đã chấm 4 / 4 video" in page(giam_khao, in_contest(SLUG, "/judging/"))

    # -- The provisional standings: a tie for Giải Nhất waits for the organizers ----------
    anonymous = browser(app)
    assert anonymous.client.get(in_contest(SLUG, "/results/prizes")).status_code == 404
    standings = page(ban_to_chuc, in_contest(SLUG, "/results/standings"))
    assert "Tạm thời: tính từ dữ liệu hiện có, chưa được phê duyệt hay công bố." in standings
    assert unit_ranking(standings) == [
        ("1", "Sở Nội vụ", "87"),
        ("1", "Sở Tư pháp", "87"),
        ("3", "UBND huyện Đông Hòa", "67,5"),
        ("4", "Ban Quản lý các Khu công nghiệp", "40"),
    ]
    assert "Có trường hợp bằng điểm ở ranh giới giải thưởng" in standings
    assert "2 bên bằng điểm cho 2 suất (Giải Nhất, Giải Nhì)." in standings
    # Allocation stops at the tie: only the 4 video and 6 individual prizes are awarded.
    assert "Đã trao: 5.000.000 đ" in standings
    assert prize_lines(standings, "Giải tập thể (đơn vị)") == []
    tie_path = re.search(r'action="(/contests/[^/]+/results/ties/[^"]+)"', standings).group(1)
    assert tie_path == in_contest(SLUG, "/results/ties/unit:1")
    assert re.findall(r'name="position-(\d+)"', standings) == [str(snv.id), str(stp.id)]

    refused = post_form(
        ban_to_chuc,
        in_contest(SLUG, "/results/standings"),
        in_contest(SLUG, "/results/workflow/approve"),
    )
    assert "Hãy quyết định mọi trường hợp bằng điểm ở ranh giới giải trước khi phê duyệt." in (
        refused
    )
    stp_first = {f"position-{stp.id}": "1", f"position-{snv.id}": "2"}
    no_reason = post_form(
        ban_to_chuc, in_contest(SLUG, "/results/standings"), tie_path, **stp_first, reason=" "
    )
    assert "Hãy ghi lý do của quyết định." in no_reason
    assert "2 bên bằng điểm cho 2 suất" in no_reason
    reason = "Bốc thăm công khai ngày 18/09/2021 trước Ban Tổ chức"
    decided = post_form(
        ban_to_chuc, in_contest(SLUG, "/results/standings"), tie_path, **stp_first, reason=reason
    )
    assert "Đã ghi nhận quyết định; danh sách giải thưởng đã cập nhật theo." in decided
    assert "Có trường hợp bằng điểm" not in decided
    assert "Đã trao: 34.000.000 đ" in decided
    assert prize_lines(decided, "Giải tập thể (đơn vị)") == [
        ("Giải Nhất", "theo quyết định", "1", "Sở Tư pháp", "10.000.000 đ"),
        ("Giải Nhì", "theo quyết định", "1", "Sở Nội vụ", "7.000.000 đ"),
        ("Giải Nhì", "", "3", "UBND huyện Đông Hòa", "7.000.000 đ"),
        ("Giải Ba", "", "4", "Ban Quản lý các Khu công nghiệp", "5.000.000 đ"),
    ]
    assert [line[2:] for line in prize_lines(decided, "Giải video")] == [
        ("1", "Video SNV (Sở Nội vụ)", "500.000 đ"),
        ("1", "Video STP (Sở Tư pháp)", "500.000 đ"),
        ("3", "Video HDH (UBND huyện Đông Hòa)", "500.000 đ"),
        ("4", "Video KCN (Ban Quản lý các Khu công nghiệp)", "500.000 đ"),
    ]
    individual = prize_lines(decided, "Giải cá nhân")
    assert [(rank, label.split(" (")[0], amount) for _, _, rank, label, amount in individual] == [
        ("1", "Võ Thị Cúc", "500.000 đ"),
        ("2", "Nguyễn Văn An", "500.000 đ"),
        ("3", "Trần Văn Bình", "500.000 đ"),
        ("4", "Lê Thị Ánh", "500.000 đ"),
        ("5", "Phạm Thị Bích", "500.000 đ"),
        ("6", "Đặng Văn Dũng", "500.000 đ"),
    ]

    # -- Approval freezes the results; a later score change does not move them -------------
    clock.advance(minutes=10)
    approved = post_form(
        ban_to_chuc,
        in_contest(SLUG, "/results/standings"),
        in_contest(SLUG, "/results/workflow/approve"),
        remarks="Tổ Thư ký đã rà soát",
    )
    assert "Kết quả đã được phê duyệt và chốt." in approved
    assert "Đã phê duyệt lúc 18/09/2021 08:10; sẽ công bố lúc 25/09/2021 07:00." in approved
    assert (
        anonymous.client.get(in_contest(SLUG, "/results/prizes")).status_code == 404
    )  # not published yet

    clock.advance(minutes=10)
    overview = page(ban_to_chuc, in_contest(SLUG, "/judging/overview"))
    stp_article = next(part for part in overview.split("<article") if "Video STP" in part)
    sheet_id = re.search(
        rf"<td>{judge_free.full_name}</td>.*?/judging/scores/(\d+)/reopen", stp_article, re.S
    ).group(1)
    reopened = post_form(
        ban_to_chuc,
        in_contest(SLUG, "/judging/overview"),
        in_contest(SLUG, f"/judging/scores/{sheet_id}/reopen"),
        reason="Giám khảo nhập nhầm điểm",
    )
    assert "Đã mở lại phiếu điểm; giám khảo có thể sửa và nộp lại." in reopened
    assert score_video(giam_khao, videos["STP"], (20, 15, 10, 5)).status_code == 302  # 90 → 50
    live = page(ban_to_chuc, in_contest(SLUG, "/results/standings"))
    assert unit_ranking(live) == [
        ("1", "Sở Nội vụ", "87"),
        ("2", "Sở Tư pháp", "79"),  # its video now (70 + 50) / 2 = 60
        ("3", "UBND huyện Đông Hòa", "67,5"),
        ("4", "Ban Quản lý các Khu công nghiệp", "40"),
    ]
    assert prize_lines(live, "Giải tập thể (đơn vị)")[0] == (
        ("Giải Nhất", "", "1", "Sở Nội vụ", "10.000.000 đ")
    )
    assert "Đã phê duyệt lúc 18/09/2021 08:10" in live  # still approved: the snapshot stands

    # -- Publication: the public page shows the approved snapshot -------------------------
    clock.advance(minutes=10)
    published = post_form(
        ban_to_chuc,
        in_contest(SLUG, "/results/standings"),
        in_contest(SLUG, "/results/workflow/publish"),
    )
    assert "Kết quả đã được công bố." in published
    assert "Đã công bố. Trang công khai hiển thị kết quả đã phê duyệt." in published
    public = page(anonymous, in_contest(SLUG, "/results/prizes"))
    assert "Tổng giá trị giải thưởng: 34.000.000 đ" in public
    # The prizes as approved, with the tie decision, not as the live standings now stand.
    assert [line[:1] + line[2:] for line in prize_lines(public, "Giải tập thể (đơn vị)")] == [
        ("Giải Nhất", "1", "Sở Tư pháp", "10.000.000 đ"),
        ("Giải Nhì", "1", "Sở Nội vụ", "7.000.000 đ"),
        ("Giải Nhì", "3", "UBND huyện Đông Hòa", "7.000.000 đ"),
        ("Giải Ba", "4", "Ban Quản lý các Khu công nghiệp", "5.000.000 đ"),
    ]
    assert prize_lines(public, "Giải video") == prize_lines(decided, "Giải video")
    assert prize_lines(public, "Giải cá nhân") == individual
    assert unit_ranking(public) == [
        ("1", "Sở Nội vụ", "87"),
        ("1", "Sở Tư pháp", "87"),
        ("3", "UBND huyện Đông Hòa", "67,5"),
        ("4", "Ban Quản lý các Khu công nghiệp", "40"),
    ]

    # -- The audit log holds every step, newest first ---------------------------------------
    log = page(ban_to_chuc, in_contest(SLUG, "/organizer/audit"))
    actions = [
        "Công bố kết quả",
        "Mở lại phiếu điểm",
        "Phê duyệt kết quả",
        "Quyết định trường hợp bằng điểm ở ranh giới giải",
        "Thay đổi thời gian hội thi",
    ]
    positions = [log.index(action) for action in actions]
    assert positions == sorted(positions)
    for detail in (
        reason,
        "Giám khảo nhập nhầm điểm",
        "Tổ Thư ký đã rà soát",
        "Hết hạn nhận video",
    ):
        assert detail in log
    assert log.count("<td>Tổ Thư ký</td>") == len(actions)  # by whom: the organizer, each time
