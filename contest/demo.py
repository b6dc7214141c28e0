"""The demo contest: the seed plan's 46 units in their 6 groups, accounts, the bank, and three
ready videos."""

import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from contest import media
from contest.extensions import db
from contest.models import Contest, ReviewPolicy, Role, Unit, UnitGroup, User, Video, VideoForm
from contest.questions.services import load_platform_bank
from contest.storage import current_storage
from contest.units.services import enroll_active_units
from contest.videos.processing import process_video
from contest.videos.services import VideoDetails, complete_upload, start_upload

DEMO_PASSWORD = "demo"  # noqa: S105 (documented demo credentials)
PARTICIPANTS = 200
JUDGES = 3

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
    videos = _videos(contest, units, now)
    return {
        "contest": contest.id,
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
        review_policy=ReviewPolicy.AFTER_SUBMIT,
    )
    db.session.add(contest)
    db.session.flush()
    return contest


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
