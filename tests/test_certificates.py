"""Printable certificates of the approved prizes: one PDF page per award, read back as text."""

import io
import re
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from contest.extensions import db
from contest.models import PrizeTierRow, ResultsSnapshot, Role
from contest.results import workflow
from contest.results.certificates import (
    Certificate,
    administrative_date,
    approved_certificates,
    render_certificates,
)
from tests.helpers import ApiClient, graded_round, in_contest, make_contest, make_unit, make_user
from tests.test_results_exports_and_pages import make_video, score_sheet
from tests.test_standings import NOW

# Approved at 01:00 on 17/10 in Hanoi, still the 16th in UTC: the date is the local day.
APPROVED_AT = NOW + timedelta(hours=18)
PRIZE_TABLE = [
    ("unit", "Giải Nhất", 1, 10_000_000, 1),
    ("unit", "Giải Nhì", 1, 7_000_000, 2),
    ("video", "Giải video", 1, 500_000, 1),
    ("individual", "Giải cá nhân", 2, 500_000, 1),
]
UNITS = ("Ủy ban nhân dân huyện Mỹ Xuyên", "Sở Tư pháp", "Văn phòng Đoàn ĐBQH và HĐND tỉnh")
PEOPLE = ("Nguyễn Thị Ngọc Hường", "Trần Quốc Việt", "Lê Văn Đức")
TITLE = "Dịch vụ công trực tuyến – gần dân hơn"

SLUG = "the-2021-certificates"


@pytest.fixture
def awarded(db_session):
    """Three units with Vietnamese names, one participant and one video each: five prizes."""
    contest = make_contest(
        NOW - timedelta(days=30),
        slug=SLUG,
        quiz_closes_at=NOW,
        name="Hội thi trực tuyến Cải cách hành chính năm 2026",
        organizer_name="Sở Nội vụ tỉnh Sóc Trăng",
        authority_name="Ủy ban nhân dân tỉnh Sóc Trăng",
        prize_table=[
            PrizeTierRow(category=c, name=n, prize_count=k, amount=a, position=p)
            for c, n, k, a, p in PRIZE_TABLE
        ],
    )
    judge = make_user(Role.JUDGE)
    units = []
    for n, (unit_name, person_name) in enumerate(zip(UNITS, PEOPLE, strict=True)):
        unit = make_unit(headcount=2)
        unit.name = unit_name
        person = make_user(unit=unit, full_name=person_name)
        graded_round(contest, person, 10 - n, 60_000 + 1000 * n, NOW - timedelta(days=1))
        title = TITLE if n == 0 else f"Video {n}"
        score_sheet(make_video(contest, unit, title), judge, (38 - 10 * n, 25, 18, 9))
        units.append(unit)
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    return contest, units, organizer


def approve(contest, organizer) -> ResultsSnapshot:
    snapshot = workflow.approve_results(contest, organizer, None, APPROVED_AT)
    db.session.commit()
    return snapshot


def page_texts(document: bytes) -> list[str]:
    """Each page's text, its runs of spaces and line breaks made one space."""
    reader = PdfReader(io.BytesIO(document))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def test_each_award_has_its_page_with_the_winner_and_the_amount(app, awarded):
    contest, units, organizer = awarded
    contest.certificate_shows_amount = True
    approve(contest, organizer)
    awards = approved_certificates(contest)
    assert [(a.category, a.prize, a.winner, a.unit, a.amount) for a in awards] == [
        ("unit", "Giải Nhất", UNITS[0], None, 10_000_000),
        ("unit", "Giải Nhì", UNITS[1], None, 7_000_000),
        ("video", "Giải video", TITLE, UNITS[0], 500_000),
        ("individual", "Giải cá nhân", PEOPLE[0], UNITS[0], 500_000),
        ("individual", "Giải cá nhân", PEOPLE[1], UNITS[1], 500_000),
    ]
    with app.test_request_context():
        pages = page_texts(render_certificates(awards))
    assert len(pages) == len(awards)
    first, second, video, hương, việt = pages
    assert UNITS[0] in first
    assert "Đạt Giải Nhất tập thể" in first
    assert "10.000.000 đ" in first
    assert UNITS[1] in second
    assert "7.000.000 đ" in second
    assert f"“{TITLE}”" in video
    assert UNITS[0] in video
    assert PEOPLE[0] in hương
    assert UNITS[0] in hương
    assert PEOPLE[1] in việt
    assert "500.000 đ" in việt
    for text in pages:
        assert "Hội thi trực tuyến Cải cách hành chính năm 2026" in text
        assert "SỞ NỘI VỤ TỈNH SÓC TRĂNG" in text
        assert "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG" in text
        assert "Ngày 17 tháng 10 năm 2026" in text


def certificate(**changes) -> Certificate:
    values = {
        "contest": "Hội thi",
        "organizer": None,
        "category": "individual",
        "prize": "Giải cá nhân",
        "winner": "Phạm Thị Huyền Trang",
        "unit": "Bưu điện tỉnh",
        "amount": 500_000,
        "issued_at": datetime(2021, 12, 31, 3, tzinfo=UTC),
    }
    return Certificate(**{**values, **changes})


def test_a_name_typed_with_combining_accents_prints_in_composed_letters(app):
    decomposed = unicodedata.normalize("NFD", "Phạm Thị Huyền Trang")
    with app.test_request_context():
        (page,) = page_texts(render_certificates([certificate(winner=decomposed)]))
    assert "Phạm Thị Huyền Trang" in page
    assert "Ngày 31 tháng 12 năm 2021" in page


def test_the_longest_names_stay_inside_the_frame_above_the_signature(app):
    longest = certificate(
        contest="Hội thi cải cách hành chính " * 11,  # 300 characters, as many as stored
        organizer="Ủy ban nhân dân tỉnh " * 14,
        authority="Ủy ban nhân dân tỉnh " * 14,
        category="video",
        winner="Dịch vụ công trực tuyến gần dân " * 6,  # a title: 200 at most
        unit="Văn phòng Đoàn ĐBQH và HĐND tỉnh " * 6,
        number=12,
        place="Thành phố Hồ Chí Minh " * 4,  # 88 of the 100 characters stored
        signer_name="Nguyễn Thị Phương Thảo " * 5,  # 115 of 120
        signer_title="Phó Giám đốc Sở Nội vụ phụ trách cải cách hành chính " * 2,
        decision="1250/QĐ-BTC ngày 20 tháng 12 năm 2026 của Ban Tổ chức " * 3,
        shows_amount=True,
    )
    with app.test_request_context():
        document = render_certificates([longest])
    heights = {}  # each line's text by its height, in points from the bottom of the page

    sizes = {}  # each line's font size (the title is set at 34 pt)

    def line(text, cm, tm, font, size):
        if text.strip():
            heights[tm[5]] = text
            sizes[tm[5]] = tm[0] * size

    PdfReader(io.BytesIO(document)).pages[0].extract_text(visitor_text=line)
    assert len(heights) > 10
    frame = 14 / 25.4 * 72  # the inner frame, 14 mm from each edge
    assert all(frame < height < 595 - frame for height in heights)
    (signed_at,) = (height for height, text in heights.items() if "năm 2021" in text)
    lowest_name = min(height for height, text in heights.items() if "ĐBQH" in text)
    assert signed_at < lowest_name
    title = max(height for height, size in sizes.items() if size > 20)  # the title's line
    heading = min(height for height, text in heights.items() if "ỦY BAN" in text.upper())
    assert heading > title  # the authority and the organizer end above the title


def test_a_snapshot_approved_before_names_were_kept_apart_prints_its_label(awarded):
    contest, units, organizer = awarded
    snapshot = approve(contest, organizer)
    older = [
        {key: value for key, value in award.items() if key not in ("winner", "unit")}
        for award in snapshot.content["prizes"]
    ]
    snapshot.content = {**snapshot.content, "prizes": older}
    db.session.commit()
    video = approved_certificates(contest, number=3)
    assert [(c.winner, c.unit) for c in video] == [(f"{TITLE} ({UNITS[0]})", None)]


def test_organizers_download_every_certificate_or_one(client, awarded):
    contest, units, organizer = awarded
    approve(contest, organizer)
    ApiClient(client).login(organizer)
    everything = client.get(in_contest(SLUG, "/results/certificates.pdf"))
    assert everything.status_code == 200
    assert everything.mimetype == "application/pdf"
    assert "giay-chung-nhan.pdf" in everything.headers["Content-Disposition"]
    assert len(page_texts(everything.data)) == 5

    one = client.get(in_contest(SLUG, "/results/certificates/3.pdf"))
    assert one.status_code == 200
    assert "giay-chung-nhan-3.pdf" in one.headers["Content-Disposition"]
    (page,) = page_texts(one.data)
    assert TITLE in page
    assert "Số: 03/GCN" in page
    assert "500.000 đ" not in page  # the amount is printed only when the contest says so
    for beyond in (0, 6):
        assert (
            client.get(in_contest(SLUG, f"/results/certificates/{beyond}.pdf")).status_code == 404
        )

    standings = client.get(in_contest(SLUG, "/results/standings")).get_data(as_text=True)
    assert f'href="/contests/{SLUG}/results/certificates.pdf"' in standings
    assert f'href="/contests/{SLUG}/results/certificates/5.pdf"' in standings
    assert f'href="/contests/{SLUG}/results/certificates/6.pdf"' not in standings


def test_no_certificate_before_approval_or_after_reopening(client, awarded):
    contest, units, organizer = awarded
    ApiClient(client).login(organizer)
    for path in (
        in_contest(SLUG, "/results/certificates.pdf"),
        in_contest(SLUG, "/results/certificates/1.pdf"),
    ):
        response = client.get(path)
        assert response.status_code == 409
        assert response.mimetype == "text/html"
        assert UNITS[0] not in response.get_data(as_text=True)
    assert in_contest(SLUG, "/results/certificates.pdf") not in client.get(
        in_contest(SLUG, "/results/standings")
    ).get_data(True)

    approve(contest, organizer)
    workflow.reopen_results(contest, organizer, "Khiếu nại được chấp nhận", APPROVED_AT)
    db.session.commit()
    assert client.get(in_contest(SLUG, "/results/certificates.pdf")).status_code == 409


@pytest.mark.parametrize("role", [None, Role.PARTICIPANT, Role.JUDGE, Role.UNIT_ADMIN])
def test_only_organizers_download_certificates(client, awarded, role):
    contest, units, organizer = awarded
    approve(contest, organizer)
    if role is not None:
        user = make_user(role, unit=units[0])
        db.session.commit()
        ApiClient(client).login(user)
    for path in (
        in_contest(SLUG, "/results/certificates.pdf"),
        in_contest(SLUG, "/results/certificates/1.pdf"),
    ):
        response = client.get(path)
        assert response.status_code == (302 if role is None else 403)
        assert response.mimetype != "application/pdf"


def test_the_page_follows_the_administrative_format(client, awarded):
    contest, units, organizer = awarded
    contest.place_name = "Sóc Trăng"
    contest.signer_name = "Trần Văn Bình"
    contest.award_decision = "125/QĐ-BTC"
    approve(contest, organizer)
    ApiClient(client).login(organizer)
    first, *_rest, last = page_texts(client.get(in_contest(SLUG, "/results/certificates.pdf")).data)
    expected_in_order = [
        "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG",
        "SỞ NỘI VỤ TỈNH SÓC TRĂNG",
        "Số: 01/GCN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập – Tự do – Hạnh phúc",
        "GIẤY CHỨNG NHẬN",
        UNITS[0],
        "Đạt Giải Nhất tập thể",
        "(Theo Quyết định số 125/QĐ-BTC)",
        "Sóc Trăng, ngày 17 tháng 10 năm 2026",
        "TM. BAN TỔ CHỨC",
        "TRƯỞNG BAN",
        "Trần Văn Bình",
    ]
    positions = [first.find(text) for text in expected_in_order]
    assert -1 not in positions, list(zip(expected_in_order, positions, strict=True))
    heading, body = positions[:5], positions[5:]
    assert min(body) > max(heading)
    assert body == sorted(body)
    assert "đ" not in first.split("Đạt Giải Nhất tập thể")[1].split("(Theo")[0]  # no amount
    assert "Số: 05/GCN" in last
    assert "Giải cá nhân tập thể" not in last  # "tập thể" is for units only
    assert "Đạt Giải cá nhân" in last


def test_the_date_is_written_as_the_decree_says():
    assert administrative_date(datetime(2027, 1, 5)) == ("05", "01", "2027")  # noqa: DTZ001
    assert administrative_date(datetime(2026, 2, 28)) == ("28", "02", "2026")  # noqa: DTZ001
    assert administrative_date(datetime(2026, 10, 17)) == ("17", "10", "2026")  # noqa: DTZ001
    assert administrative_date(datetime(2026, 3, 9)) == ("09", "3", "2026")  # noqa: DTZ001
