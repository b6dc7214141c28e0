"""The demo contest: the seed plan's 46 units in their 6 groups, accounts, the bank, and three
ready videos."""

import random
import tempfile
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from contest import media
from contest.extensions import db
from contest.models import (
    Attempt,
    Contest,
    ContestState,
    Question,
    ReviewPolicy,
    Role,
    RoundReview,
    Unit,
    UnitGroup,
    User,
    Video,
    VideoForm,
)
from contest.questions.services import load_platform_bank
from contest.quiz import services as quiz
from contest.results import standings as results_standings
from contest.results import workflow
from contest.review import services as review
from contest.storage import current_storage
from contest.units.services import enroll_active_units
from contest.videos.processing import process_video
from contest.videos.services import VideoDetails, complete_upload, start_upload

DEMO_PASSWORD = "demo"  # noqa: S105 (documented demo credentials)
PARTICIPANTS = 200
JUDGES = 3
PAST_PLAYERS = 30  # user1 … user30 played last year's contest
# Last year's players read each question (stem and choices) at a careful reader's pace, well
# over the plausibility floor's skim (contest.domain.plausibility), then think a few seconds:
# their rounds stay ranked whatever the length of the bank's questions.
PAST_READING_CHARS_PER_SECOND = 25
# Rounds the fair-play checks flag (contest.domain.plausibility), played by participants who
# have no other round in their contest: last year's, decided by the organizer before its
# results were approved; this year's, left waiting in the review queue.
PAST_SCRIPTED = "user31"  # answers about a second apart: too fast, excluded
PAST_UNREPORTED = "user32"  # a careful pace, no question reported shown: accepted
OPEN_SCRIPTED = "user199"  # every question reported at once, answers a second apart
OPEN_METRONOME = "user200"  # an answer every 20 seconds sharp: regular timing

# (group code, group name, [(unit code, unit name, headcount)]) in the order of the seed plan.
UNIT_GROUPS = [
    (
        "CQCM",
        "Cơ quan chuyên môn thuộc UBND tỉnh",
        [
            ("VPUBND", "Văn phòng UBND tỉnh", 95),
            ("SNV", "Sở Nội vụ", 78),
            ("STP", "Sở Tư pháp", 52),
            ("SKHDT", "Sở Kế hoạch và Đầu tư", 61),
            ("STC", "Sở Tài chính", 70),
            ("SCT", "Sở Công Thương", 66),
            ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", 148),
            ("SGTVT", "Sở Giao thông vận tải", 84),
            ("SXD", "Sở Xây dựng", 58),
            ("STNMT", "Sở Tài nguyên và Môi trường", 92),
            ("STTTT", "Sở Thông tin và Truyền thông", 45),
            ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", 73),
            ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 88),
            ("SKHCN", "Sở Khoa học và Công nghệ", 47),
            ("SGDDT", "Sở Giáo dục và Đào tạo", 76),
            ("SYT", "Sở Y tế", 81),
            ("TTT", "Thanh tra tỉnh", 41),
            ("BDT", "Ban Dân tộc", 29),
        ],
    ),
    (
        "BQLKCN",
        "Ban Quản lý các Khu công nghiệp",
        [("BQLKCN", "Ban Quản lý các Khu công nghiệp tỉnh", 32)],
    ),
    (
        "VPDDBQH",
        "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
        [("VPDDBQH", "Văn phòng Đoàn Đại biểu Quốc hội và Hội đồng nhân dân tỉnh", 44)],
    ),
    (
        "DVSN",
        "Đơn vị sự nghiệp tỉnh",
        [
            ("BQLDA1", "Ban Quản lý dự án 1", 38),
            ("BQLDA2", "Ban Quản lý dự án 2", 35),
            ("BST", "Báo Sóc Trăng", 42),
            ("DPTTH", "Đài Phát thanh và Truyền hình tỉnh", 96),
            ("CDCD", "Trường Cao đẳng Cộng đồng Sóc Trăng", 160),
            ("CDN", "Trường Cao đẳng Nghề Sóc Trăng", 110),
            ("TCT", "Trường Chính trị tỉnh", 48),
            ("PALI", "Trường Bổ túc Văn hóa Pali Trung cấp Nam bộ", 30),
        ],
    ),
    (
        "TW",
        "Cơ quan Trung ương đóng trên địa bàn tỉnh",
        [
            ("BHXH", "Bảo hiểm xã hội tỉnh", 190),
            ("KBNN", "Kho bạc Nhà nước tỉnh", 150),
            ("CT", "Cục Thuế tỉnh", 320),
            ("CTK", "Cục Thống kê tỉnh", 95),
            ("CA", "Công an tỉnh", 400),
            ("CCHQ", "Chi cục Hải quan tỉnh", 40),
            ("NHNN", "Ngân hàng Nhà nước Chi nhánh tỉnh Sóc Trăng", 55),
        ],
    ),
    (
        "HUYEN",
        "UBND cấp huyện",
        [
            ("TPST", "UBND thành phố Sóc Trăng", 260),
            ("TXVC", "UBND thị xã Vĩnh Châu", 230),
            ("TXNN", "UBND thị xã Ngã Năm", 190),
            ("HCT", "UBND huyện Châu Thành", 210),
            ("HKS", "UBND huyện Kế Sách", 240),
            ("HMT", "UBND huyện Mỹ Tú", 215),
            ("HMX", "UBND huyện Mỹ Xuyên", 235),
            ("HLP", "UBND huyện Long Phú", 205),
            ("HCLD", "UBND huyện Cù Lao Dung", 170),
            ("HTT", "UBND huyện Thạnh Trị", 195),
            ("HTD", "UBND huyện Trần Đề", 200),
        ],
    ),
]

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Thạch"]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Quốc", "Thị Thu", "Hữu", "Kim"]
GIVEN_NAMES = [
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Hạnh",
    "Khoa",
    "Lan",
    "Mai",
    "Nam",
    "Phúc",
    "Quyên",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trung",
    "Uyên",
    "Việt",
    "Xuân",
    "Yến",
    "Đức",
    "Sophal",
    "Sóc",
]
POSITIONS = ["Chuyên viên", "Chuyên viên chính", "Phó Trưởng phòng", "Trưởng phòng", "Viên chức"]


def demo_name(n: int) -> str:
    """A plausible Vietnamese full name for demo participant n."""
    return " ".join(
        (
            FAMILY_NAMES[n % len(FAMILY_NAMES)],
            MIDDLE_NAMES[(n // 3) % len(MIDDLE_NAMES)],
            GIVEN_NAMES[(n * 7) % len(GIVEN_NAMES)],
        )
    )


def load_demo(now: datetime, timezone: ZoneInfo) -> dict[str, int]:
    """Create what the demo is missing (running it again keeps existing data); return counts."""
    units = _units()
    contest = _contest(now, timezone)
    enroll_active_units(contest)  # every unit of the seed takes part, with its headcount
    password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: it is slow on purpose
    users = _accounts(units, password_hash)
    questions = load_platform_bank(now)
    db.session.flush()
    past = _past_contest(now, timezone)
    _open_flagged_rounds(contest, now)
    videos = _videos(contest, units, now)
    return {
        "contest": contest.id,
        "past_contest": past.id,
        "units": len(units),
        "accounts": users,
        "questions": questions,
        "videos": videos,
    }


def _units() -> list[Unit]:
    units = []
    for group_position, (group_code, group_name, members) in enumerate(UNIT_GROUPS, 1):
        group = db.session.scalar(select(UnitGroup).where(UnitGroup.code == group_code))
        if group is None:
            group = UnitGroup(code=group_code, name=group_name, position=group_position)
            db.session.add(group)
        for position, (code, name, headcount) in enumerate(members, 1):
            unit = db.session.scalar(select(Unit).where(Unit.code == code))
            if unit is None:
                unit = Unit(
                    code=code, name=name, group=group, headcount=headcount, position=position
                )
                db.session.add(unit)
            units.append(unit)
    db.session.flush()
    return units


def _contest(now: datetime, timezone: ZoneInfo) -> Contest:
    contest = db.session.scalar(select(Contest).where(Contest.slug == "demo"))
    if contest is not None:
        return contest
    local_today = now.astimezone(timezone).date()
    opens = datetime.combine(local_today, time(0, 0), tzinfo=timezone)
    closes = datetime.combine(local_today + timedelta(days=31), time(0, 0), tzinfo=timezone)
    contest = Contest(
        slug="demo",
        name=f"Hội thi trực tuyến Cải cách hành chính tỉnh Sóc Trăng năm {local_today.year}",
        organizer_name="Sở Nội vụ tỉnh Sóc Trăng",
        description=(
            "Công chức, viên chức của 46 đơn vị tham gia trả lời 10 câu hỏi trắc nghiệm trực "
            "tuyến về cải cách hành chính; mỗi đơn vị dựng và đăng tải ít nhất 01 video "
            "tuyên truyền cải cách hành chính."
        ),
        quiz_opens_at=opens,
        quiz_closes_at=closes,
        video_opens_at=opens,
        video_closes_at=closes,
        results_publish_at=closes + timedelta(days=14),
        questions_per_round=10,
        round_time_limit_seconds=600,
        submission_grace_seconds=5,
        max_attempts_total=None,
        max_attempts_per_day=5,
        # The key is shown after the close, as the seed plan's contest would: shown after each
        # round, it would pass from those who played to those still playing.
        review_policy=ReviewPolicy.AFTER_CLOSE,
    )
    db.session.add(contest)
    db.session.flush()
    return contest


def _past_contest(now: datetime, timezone: ZoneInfo) -> Contest:
    """Last year's contest, closed, its rounds played and its results approved and published,
    so the home page and GET /api/v1/contests have an archive to show."""
    year = now.astimezone(timezone).year - 1
    slug = f"cchc-{year}"
    contest = db.session.scalar(select(Contest).where(Contest.slug == slug))
    if contest is not None:
        return contest
    opens = datetime(year, 9, 15, 7, 0, tzinfo=timezone)
    closes = datetime(year, 10, 16, 0, 0, tzinfo=timezone)
    contest = Contest(
        slug=slug,
        name=f"Hội thi trực tuyến Cải cách hành chính tỉnh Sóc Trăng năm {year}",
        organizer_name="Sở Nội vụ tỉnh Sóc Trăng",
        description="Hội thi năm trước: kết quả đã được phê duyệt và công bố.",
        quiz_opens_at=opens,
        quiz_closes_at=closes,
        results_publish_at=datetime(year, 12, 31, 8, 0, tzinfo=timezone),
        max_attempts_per_day=5,
        review_policy=ReviewPolicy.AFTER_CLOSE,
    )
    db.session.add(contest)
    db.session.flush()
    rng = random.Random(year)  # noqa: S311 (demo data: the same rounds on every machine)
    players = db.session.scalars(
        select(User).where(User.username.in_([f"user{n}" for n in range(1, PAST_PLAYERS + 1)]))
    ).all()
    for n, player in enumerate(sorted(players, key=lambda user: user.id)):
        started = opens + timedelta(days=n % 28, hours=1 + n % 9, minutes=n)
        _play_round(contest, player, started, skill=0.45 + 0.5 * rng.random(), rng=rng)
    organizer = db.session.scalar(select(User).where(User.username == "organizer"))
    _past_flagged_rounds(contest, organizer, rng)
    decided_at = closes + timedelta(days=20)
    # The demo's organizers order any tie at a prize boundary as the ranking lists it.
    for tie in results_standings.compute_standings(contest).prizes.pending_ties:
        order, reason = list(tie.entry_ids), "Bốc thăm (dữ liệu demo)"
        results_standings.decide_tie(contest, tie.tie_id, order, reason, organizer, decided_at)
    workflow.approve_results(contest, organizer, "Kết quả chính thức (dữ liệu demo)", decided_at)
    workflow.publish_now(contest, organizer, decided_at + timedelta(days=1))
    return contest


def _careful_reader(rng: random.Random) -> Callable[[Question], int]:
    """A person's time on a question: reading it at a careful pace, then a few seconds' thought."""

    def time_ms(question: Question) -> int:
        characters = len(question.text) + sum(len(choice.text) for choice in question.choices)
        return characters * 1000 // PAST_READING_CHARS_PER_SECOND + rng.randint(2_000, 15_000)

    return time_ms


def _play_round(
    contest: Contest,
    player: User,
    started: datetime,
    skill: float,
    rng: random.Random,
    time_ms: Callable[[Question], int] | None = None,
    shown: str = "each",
) -> Attempt:
    """One round through the quiz's own services: drawn, each question shown (as the round
    page reports it when scrolled to; `shown`: "all" at once at the start, as a script may, or
    "none", as a client that never reports) and answered one by one after `time_ms` on it (a
    careful reader's by default), submitted."""
    attempt = quiz.start_attempt(contest, player, started, contest.quiz_opens_at.tzinfo, rng)
    time_ms = time_ms or _careful_reader(rng)
    if shown == "all":
        quiz.record_shown(attempt, [served.question_id for served in attempt.served], started)
    moment = started
    for served in attempt.served:
        if shown == "each":
            quiz.record_shown(attempt, [served.question_id], moment)
        moment += timedelta(milliseconds=time_ms(served.question))
        right = served.question.correct_choice.id
        wrong = [choice for choice in served.choice_ids if choice != right]
        choice = right if rng.random() < skill or not wrong else rng.choice(wrong)
        quiz.save_answer(
            attempt.id, player.id, served.question_id, choice, moment, player.session_version
        )
    quiz.submit_attempt(attempt, moment + timedelta(milliseconds=rng.randint(500, 3_000)))
    return attempt


def _past_flagged_rounds(contest: Contest, organizer: User, rng: random.Random) -> None:
    """Two of last year's rounds the checks flagged, each decided by the organizer through the
    review service (with its reason, in the audit log) before the results were approved."""
    players = {
        user.username: user
        for user in db.session.scalars(
            select(User).where(User.username.in_([PAST_SCRIPTED, PAST_UNREPORTED]))
        )
    }
    opens = contest.quiz_opens_at
    scripted = _play_round(
        contest,
        players[PAST_SCRIPTED],
        opens + timedelta(days=12, hours=14, minutes=3),
        skill=1.0,
        rng=rng,
        time_ms=lambda question: rng.randint(800, 1_300),
        shown="all",
    )
    unreported = _play_round(
        contest,
        players[PAST_UNREPORTED],
        opens + timedelta(days=20, hours=2, minutes=41),
        skill=0.8,
        rng=rng,
        shown="none",
    )
    decided_at = contest.quiz_closes_at + timedelta(days=10)
    decisions = (
        (
            unreported,
            review.ACCEPT,
            "Người dự thi dùng trình duyệt cũ, không gửi được báo cáo câu hỏi đã hiển thị; "
            "nhịp trả lời là nhịp đọc bình thường (dữ liệu demo).",
        ),
        (
            scripted,
            review.EXCLUDE_ROUND,
            "10 câu trả lời cách nhau khoảng một giây, nhanh hơn thời gian đọc tối thiểu: "
            "không phải người chơi (dữ liệu demo).",
        ),
    )
    for attempt, decision, reason in decisions:
        flagged = db.session.get(RoundReview, attempt.id)
        review.decide_round(flagged, decision, reason, organizer, decided_at)
        decided_at += timedelta(minutes=7)


def _open_flagged_rounds(contest: Contest, now: datetime) -> None:
    """Two rounds of the open contest the checks flagged, left for the organizer to decide, so
    the review queue has rounds pending with their timelines (none while the contest is not
    open, nor once its scripted players have played)."""
    players = db.session.scalars(
        select(User)
        .where(User.username.in_([OPEN_SCRIPTED, OPEN_METRONOME]))
        .order_by(User.username)
    ).all()
    played = select(Attempt.id).where(
        Attempt.contest_id == contest.id, Attempt.user_id.in_([user.id for user in players])
    )
    if contest.state(now) is not ContestState.OPEN or db.session.scalar(played.limit(1)):
        return
    rng = random.Random(contest.quiz_opens_at.year)  # noqa: S311 (demo data)
    # Started a little before the load (not before the opening), so the rounds are over.
    started = max(contest.quiz_opens_at, now - timedelta(minutes=30))
    scripted, metronome = players
    _play_round(
        contest,
        scripted,
        started,
        skill=1.0,
        rng=rng,
        time_ms=lambda question: rng.randint(800, 1_300),
        shown="all",
    )
    _play_round(
        contest,
        metronome,
        started + timedelta(minutes=4),
        skill=0.7,
        rng=rng,
        time_ms=lambda question: 20_000,
    )


def _accounts(units: list[Unit], password_hash: str) -> int:
    existing = set(db.session.scalars(select(User.username).where(User.username.is_not(None))))
    wanted = [("organizer", "Ban Tổ chức Hội thi", "0900000000", None, [Role.ORGANIZER])]
    wanted += [
        (f"judge{n}", f"Giám khảo {n}", f"09000000{n:02d}", None, [Role.JUDGE])
        for n in range(1, JUDGES + 1)
    ]
    wanted += [
        (
            f"unit-{unit.code.lower()}",
            f"Đầu mối {unit.name}",
            f"09100{n:05d}",
            unit,
            [Role.UNIT_ADMIN, Role.PARTICIPANT],
        )
        for n, unit in enumerate(units, 1)
    ]
    wanted += [
        (f"user{n}", demo_name(n), f"09200{n:05d}", units[(n - 1) % len(units)], [Role.PARTICIPANT])
        for n in range(1, PARTICIPANTS + 1)
    ]
    created = 0
    for username, full_name, phone, unit, roles in wanted:
        if username in existing:
            continue
        user = User(
            username=username,
            full_name=full_name,
            phone=phone,
            unit=unit,
            position=POSITIONS[created % len(POSITIONS)] if unit else None,
            password_hash=password_hash,
        )
        for role in roles:
            user.grant(role)
        db.session.add(user)
        created += 1
    db.session.flush()
    return created


DEMO_VIDEOS = (
    ("Dịch vụ công trực tuyến: ngồi nhà cũng làm được thủ tục", VideoForm.SONG, "testsrc2"),
    ("Một cửa, một dấu: chuyện ở bộ phận tiếp nhận", VideoForm.MUSICAL_DRAMA, "smptebars"),
    ("Thanh toán trực tuyến phí, lệ phí", VideoForm.NARRATION, "rgbtestsrc"),
)


def _videos(contest: Contest, units: list[Unit], now: datetime) -> int:
    """Three short ready videos from three units, so judges have something to score."""
    if db.session.scalar(select(Video.id).where(Video.contest_id == contest.id).limit(1)):
        return 0
    storage = current_storage()
    with tempfile.TemporaryDirectory(prefix="contest-demo-") as folder:
        for unit, (title, form, pattern) in zip(units, DEMO_VIDEOS, strict=False):
            admin = db.session.scalar(
                select(User).where(User.unit_id == unit.id, User.username.like("unit-%"))
            )
            clip = Path(folder) / f"{pattern}.mp4"
            media.render_test_pattern(clip, seconds=12, pattern=pattern)
            details = VideoDetails(
                title=title,
                description="Video mẫu của bản demo.",
                form=form,
                filename=f"{title}.mp4",
                size_bytes=clip.stat().st_size,
                content_type="video/mp4",
            )
            video = start_upload(contest, admin, details, clip.stat().st_size, storage, now)
            with clip.open("rb") as body:
                storage.write_part(video.storage_key, video.upload_id, 1, body, video.size_bytes)
            complete_upload(video, storage, now)
            db.session.commit()  # processing claims the video in its own transaction
            process_video(video.id, storage, lambda: now)
    return len(DEMO_VIDEOS)
