"""Organizers create and copy contests and set each one up: every settings page validates,
logs before → after, and refuses with its rule what would change something already decided."""

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect

from contest.contest_setup import services
from contest.contest_setup.rules_text import render_rules_text
from contest.domain.text import next_years_name, slug_of
from contest.extensions import db
from contest.models import (
    AuditEntry,
    Contest,
    ContestDocument,
    DrawQuota,
    PrizeTierRow,
    ResultsSnapshot,
    ReviewPolicy,
    Role,
    Video,
    VideoForm,
    VideoState,
)
from contest.storage import current_storage
from tests.helpers import (
    ApiClient,
    form_token,
    graded_round,
    in_contest,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)

VN = "Asia/Ho_Chi_Minh"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def setup(client, db_session, frozen_clock):
    """A contest open since yesterday, an organizer logged in, a unit and a participant."""
    contest = make_contest(frozen_clock.now, slug="hoi-thi-2026", name="Hội thi 2026")
    unit = make_unit()
    participant = make_user(Role.PARTICIPANT, unit=unit)
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    ApiClient(client).login(organizer)
    return client, contest, participant, organizer


def settings_path(contest, page: str = "") -> str:
    return f"/contests/{contest.slug}/organizer/settings/{page}"


def post(client, path: str, **data):
    return client.post(path, data={"csrf_token": form_token(client, path), **data})


def entries(action: str) -> list[AuditEntry]:
    return db.session.query(AuditEntry).filter_by(action=action).all()


def flashed_error(response) -> str:
    return response.get_data(as_text=True)


# Who may


PAGES = ["", "identity", "rules", "rounds", "visibility", "participants"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ORGANIZER, 200),
        (Role.UNIT_ADMIN, 403),
        (Role.JUDGE, 403),
        (Role.PARTICIPANT, 403),
        (None, 302),
    ],
)
def test_only_organizers_see_the_setup_pages(client, db_session, role, status):
    contest = make_contest()
    user = make_user(role, unit=make_unit()) if role else None
    db.session.commit()
    if user:
        ApiClient(client).login(user)
    paths = [settings_path(contest, page) for page in PAGES]
    paths += ["/organizer/contests/new", f"/organizer/contests/{contest.id}/copy"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == status, path
        if role is None:
            assert "/auth/login" in response.headers["Location"]
    posted = client.post(settings_path(contest, "identity"), data={"name": "X"})
    assert posted.status_code in (302, 400, 403)
    assert contest.name != "X"


def test_an_unknown_contest_is_404(setup):
    client, *_ = setup
    assert client.get("/contests/khong-co/organizer/settings/").status_code == 404


def test_the_index_links_every_settings_page(setup):
    client, contest, *_ = setup
    html = client.get(settings_path(contest)).get_data(as_text=True)
    for page in ("identity", "rules", "rounds", "visibility", "participants"):
        assert settings_path(contest, page) in html
    for existing in (
        in_contest(contest, "/organizer/windows"),
        in_contest(contest, "/organizer/results-rules"),
        in_contest(contest, "/judging/settings"),
    ):
        assert existing in html
    assert "/organizer/questions/draw-rules" in html
    assert f"/organizer/contests/{contest.id}/copy" in html
    assert f'<a href="/contests/{contest.slug}/">' in html  # the contest's own page


# Creating and copying


def test_a_slug_is_suggested_from_the_name_with_diacritics_folded(setup):
    assert slug_of("Hội thi Cải cách hành chính Đồng Tháp 2026") == (
        "hoi-thi-cai-cach-hanh-chinh-dong-thap-2026"
    )
    assert services.suggest_slug("Hội thi 2026") == "hoi-thi-2026-2"  # the fixture's is taken
    assert services.suggest_slug("!!!") == "hoi-thi"


WINDOWS = {
    "quiz_opens_at": "15/09/2027 07:00",
    "quiz_closes_at": "15/10/2027 24:00",
    "video_opens_at": "",
    "video_closes_at": "",
    "results_publish_at": "",
}


def test_a_contest_is_created_from_the_seed_defaults(setup):
    client, _contest, _participant, organizer = setup
    response = post(
        client,
        "/organizer/contests/new",
        name="Hội thi Chuyển đổi số 2027",
        slug="chuyen-doi-so-2027",
        organizer_name="Sở Nội vụ",
        **WINDOWS,
    )
    assert response.status_code == 302
    created = db.session.query(Contest).filter_by(slug="chuyen-doi-so-2027").one()
    assert response.headers["Location"].endswith("/contests/chuyen-doi-so-2027/organizer/settings/")
    assert created.name == "Hội thi Chuyển đổi số 2027"
    assert created.quiz_opens_at == datetime(2027, 9, 15, 0, 0, tzinfo=UTC)  # 07:00 in Hà Nội
    assert created.quiz_closes_at == datetime(2027, 10, 15, 17, 0, tzinfo=UTC)  # the day's end
    assert len(created.rubric) == 4
    assert len(created.prize_table) == 6
    (entry,) = entries("contest_created")
    assert (entry.contest_id, entry.actor_id) == (created.id, organizer.id)
    assert entry.details == {"name": created.name, "slug": "chuyen-doi-so-2027"}


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Hoi-Thi", "chữ thường"),
        ("hội-thi", "chữ thường"),
        ("hoi--thi", "chữ thường"),
        ("hoi thi", "chữ thường"),
        ("hoi-thi-2026", "đã dùng"),
    ],
)
def test_a_bad_or_taken_slug_is_refused(setup, slug, message):
    client, *_ = setup
    response = post(client, "/organizer/contests/new", name="Hội thi", slug=slug, **WINDOWS)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(Contest).count() == 1
    assert not entries("contest_created")


def test_windows_that_close_before_they_open_are_refused(setup):
    client, *_ = setup
    windows = WINDOWS | {"quiz_closes_at": "01/09/2027 07:00"}
    response = post(client, "/organizer/contests/new", name="Hội thi", slug="hoi-thi", **windows)
    assert response.status_code == 200
    assert db.session.query(Contest).count() == 1


def test_every_contest_column_is_either_copied_or_left_out():
    columns = {column.key for column in inspect(Contest).columns}
    copied, left = set(services.COPIED_SETTINGS), set(services.NOT_COPIED)
    assert not copied & left
    assert copied | left == columns


def test_a_copy_takes_the_settings_and_rules_never_the_rounds_videos_results_or_documents(
    setup, frozen_clock
):
    client, source, participant, organizer = setup
    source.authority_name = "UBND tỉnh"
    source.place_name, source.signer_name = "Sóc Trăng", "Trần Văn Bình"
    source.certificate_shows_amount = True
    source.award_decision = "125/QĐ-BTC"
    source.rules_text = "Thể lệ năm 2026"
    source.round_time_limit_seconds = 480
    source.max_attempts_per_day = 3
    source.review_policy = ReviewPolicy.NEVER
    source.leaderboard_public = False
    source.allowed_video_forms = "song,stage"
    source.weight_video = 50
    source.weight_accuracy = 20
    source.min_participation_percent = 15
    source.prediction_question = "Bao nhiêu người đúng hết?"
    source.prediction_true_value = 12
    source.rubric[0].max_points = 50
    source.prize_table[0].amount = 12_000_000
    source.draw_quotas = [DrawQuota(topic="Luật Viên chức", question_count=3)]
    graded_round(source, participant, 8, 200_000, frozen_clock.now)
    db.session.add(
        Video(
            contest_id=source.id,
            unit_id=participant.unit_id,
            uploaded_by_id=participant.id,
            title="Một cửa",
            form=VideoForm.SONG,
            original_filename="v.mp4",
            size_bytes=10,
            part_size=10,
            storage_key="videos/x",
            state=VideoState.READY,
        )
    )
    db.session.add(ResultsSnapshot(contest_id=source.id, content={"prizes": []}))
    services.add_document(
        source,
        "Kế hoạch",
        "kế hoạch.pdf",
        _pdf_file(),
        current_storage(),
        organizer,
        source.created_at,
    )
    db.session.commit()

    page = client.get(f"/organizer/contests/{source.id}/copy").get_data(as_text=True)
    assert 'value="Hội thi 2027"' in page  # next year's name and address suggested
    assert 'value="hoi-thi-2027"' in page
    # The windows suggested a year later, written dd/mm/yyyy HH:MM (a close at midnight as 24:00).
    suggested = services.a_year_later(source.quiz_closes_at).astimezone(ZoneInfo(VN))
    assert f'value="{suggested:%d/%m/%Y %H:%M}"' in page
    response = post(
        client,
        f"/organizer/contests/{source.id}/copy",
        name="Hội thi 2027",
        slug="hoi-thi-2027",
        organizer_name="Sở Nội vụ",
        **WINDOWS,
    )
    assert response.status_code == 302
    copy = db.session.query(Contest).filter_by(slug="hoi-thi-2027").one()
    for name in services.COPIED_SETTINGS:
        if name != "organizer_name":  # typed on the form
            assert getattr(copy, name) == getattr(source, name), name
    assert copy.organizer_name == "Sở Nội vụ"
    assert copy.prediction_true_value is None
    assert (copy.place_name, copy.signer_name) == ("Sóc Trăng", "Trần Văn Bình")
    assert copy.award_decision is None  # that year's decision stays with it
    assert copy.rubric[0].max_points == 50
    assert len(copy.rubric) == len(source.rubric)
    assert [(t.category, t.name, t.prize_count, t.amount) for t in copy.prize_table] == [
        (t.category, t.name, t.prize_count, t.amount) for t in source.prize_table
    ]
    assert [(q.topic, q.question_count) for q in copy.draw_quotas] == [("Luật Viên chức", 3)]
    assert copy.quiz_opens_at.year == 2027
    for model in (Video, ResultsSnapshot, ContestDocument):
        assert db.session.query(model).filter_by(contest_id=copy.id).count() == 0
    assert services.rounds_started(copy) == 0
    (entry,) = entries("contest_copied")
    assert entry.details["copied_from"] == "hoi-thi-2026"
    assert "draw_quotas" in entry.details["copied"]


def test_a_year_later_keeps_the_day_except_the_29th_of_february():
    assert services.a_year_later(datetime(2026, 9, 15, tzinfo=UTC)).year == 2027
    assert services.a_year_later(datetime(2028, 2, 29, tzinfo=UTC)).day == 28
    assert services.a_year_later(None) is None
    published_at = datetime(2026, 12, 5, 5, 11, 23, 456, tzinfo=UTC)  # "Publish now"'s moment
    assert services.a_year_later(published_at) == datetime(2027, 12, 5, 5, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "next_name"),
    [
        ("Hội thi CCHC 2026", "Hội thi CCHC 2027"),
        ("Hội thi giai đoạn 2021-2030, năm 2026", "Hội thi giai đoạn 2021-2030, năm 2027"),
        ("Hội thi 2026 theo Quyết định 12026/QĐ", "Hội thi 2027 theo Quyết định 12026/QĐ"),
        ("Hội thi tìm hiểu pháp luật 2025", "Hội thi tìm hiểu pháp luật 2025"),
        ("Hội thi tìm hiểu pháp luật", "Hội thi tìm hiểu pháp luật"),
    ],
)
def test_a_copy_suggests_next_years_name(name, next_name):
    assert next_years_name(name, 2026) == next_name


# Names


def test_the_names_are_saved_and_logged(setup):
    client, contest, _participant, organizer = setup
    response = post(
        client,
        settings_path(contest, "identity"),
        name="  Hội thi  CCHC 2026 ",
        organizer_name="Sở Nội vụ tỉnh Sóc Trăng",
        authority_name="Ủy ban nhân dân tỉnh Sóc Trăng",
    )
    assert response.status_code == 302
    assert contest.name == "Hội thi CCHC 2026"
    assert contest.authority_name == "Ủy ban nhân dân tỉnh Sóc Trăng"
    (entry,) = entries("identity_changed")
    assert entry.details["name"] == ["Hội thi 2026", "Hội thi CCHC 2026"]
    assert entry.details["authority_name"] == [None, "Ủy ban nhân dân tỉnh Sóc Trăng"]
    assert "organizer_name" in entry.details
    empty = post(client, settings_path(contest, "identity"), name="")
    assert empty.status_code == 200
    assert contest.name == "Hội thi CCHC 2026"


def test_the_names_are_refused_while_approved_results_stand(setup):
    client, contest, *_ = setup
    db.session.add(ResultsSnapshot(contest_id=contest.id, content={"prizes": []}))
    db.session.commit()
    response = post(client, settings_path(contest, "identity"), name="Tên khác")
    assert response.status_code == 200
    assert "hãy mở lại kết quả trước khi thay đổi" in flashed_error(response)
    db.session.expire_all()
    assert contest.name == "Hội thi 2026"
    assert not entries("identity_changed")


def test_what_certificates_print_is_set_on_the_names_page_validated_and_logged(setup):
    client, contest, *_ = setup
    page = client.get(settings_path(contest, "identity")).get_data(as_text=True)
    for label in ("Địa danh ghi trước ngày tháng", "Họ và tên người ký", "Số quyết định khen"):
        assert label in page
    assert 'name="certificate_shows_amount"' in page
    assert not contest.certificate_shows_amount  # off by default
    too_long = post(
        client, settings_path(contest, "identity"), name=contest.name, place_name="x" * 101
    )
    assert too_long.status_code == 200
    assert 'aria-invalid="true"' in too_long.get_data(as_text=True)
    assert contest.place_name is None
    response = post(
        client,
        settings_path(contest, "identity"),
        name=contest.name,
        place_name="  Sóc  Trăng ",
        signer_name="Trần Văn Bình",
        signer_title="",
        award_decision="125/QĐ-BTC",
        certificate_shows_amount="y",
    )
    assert response.status_code == 302
    assert (contest.place_name, contest.signer_name, contest.signer_title) == (
        "Sóc Trăng",
        "Trần Văn Bình",
        None,
    )
    assert contest.certificate_shows_amount
    (entry,) = entries("identity_changed")
    assert entry.details["place_name"] == [None, "Sóc Trăng"]
    assert entry.details["certificate_shows_amount"] == [False, True]
    assert "name" not in entry.details


def test_the_awarding_decision_may_be_set_once_the_results_are_approved(setup):
    client, contest, *_ = setup
    db.session.add(ResultsSnapshot(contest_id=contest.id, content={"prizes": []}))
    db.session.commit()
    response = post(
        client, settings_path(contest, "identity"), name=contest.name, award_decision="125/QĐ-BTC"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert contest.award_decision == "125/QĐ-BTC"


# Rules text and documents


def test_the_rules_text_is_stored_plain_and_shown_escaped_with_links(setup):
    client, contest, *_ = setup
    text = (
        "Điều 1. <script>alert(1)</script>\r\nXem https://sonoivu.gov.vn/ke-hoach.\r\n\r\nĐiều 2."
    )
    response = post(client, settings_path(contest, "rules"), rules_text=text)
    assert response.status_code == 302
    assert contest.rules_text.startswith("Điều 1. <script>")
    assert "\r" not in contest.rules_text
    (entry,) = entries("rules_text_changed")
    assert entry.details["rules_text"][0] is None
    home = client.get(in_contest(contest, "/")).get_data(as_text=True)
    assert "<script>alert(1)" not in home
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home
    assert '<a href="https://sonoivu.gov.vn/ke-hoach"' in home
    assert "<p>Điều 2.</p>" in home


def test_the_rules_rendering_makes_paragraphs_and_links_only():
    html = str(render_rules_text('a\n\n\nb "https://x.vn/a?b=1&c=2" <i>'))
    assert html == (
        "<p>a</p>\n<p>b &#34;"
        '<a href="https://x.vn/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" '
        'target="_blank">https://x.vn/a?b=1&amp;c=2</a>&#34; &lt;i&gt;</p>'
    )
    assert str(render_rules_text("javascript:alert(1)")) == "<p>javascript:alert(1)</p>"
    assert str(render_rules_text(None)) == ""


def _pdf_file(content: bytes = PDF):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "doc"
    path.write_bytes(content)
    return path


def upload(client, contest, content: bytes, filename: str, title: str = ""):
    path = settings_path(contest, "documents")
    data = {
        "csrf_token": form_token(client, settings_path(contest, "rules")),
        "title": title,
        "file": (io.BytesIO(content), filename),
    }
    return client.post(path, data=data, content_type="multipart/form-data", follow_redirects=True)


def test_a_pdf_is_attached_downloaded_by_anyone_and_removed(setup, app):
    client, contest, *_ = setup
    page = upload(client, contest, PDF, "Kế hoạch số 12.pdf", title="Kế hoạch tổ chức")
    assert "Kế hoạch tổ chức" in page.get_data(as_text=True)
    document = db.session.query(ContestDocument).one()
    assert (document.original_filename, document.size_bytes) == ("Kế hoạch số 12.pdf", len(PDF))
    (added,) = entries("document_added")
    assert added.details["file"] == "Kế hoạch số 12.pdf"
    assert current_storage().read_head(document.storage_key, 5) == b"%PDF-"
    assert "Kế hoạch tổ chức" in client.get(in_contest(contest, "/")).get_data(
        as_text=True
    )  # on the public page
    anonymous = app.test_client()
    download = anonymous.get(f"/contests/{contest.slug}/documents/{document.id}")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data == PDF
    download.close()
    assert anonymous.get(f"/contests/{contest.slug}/documents/999999").status_code == 404
    key = document.storage_key
    response = post(client, settings_path(contest, f"documents/{document.id}/delete"))
    assert response.status_code == 302
    assert db.session.query(ContestDocument).count() == 0
    assert current_storage().size(key) is None
    assert entries("document_deleted")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a zip renamed", "không phải PDF"),
        (b"", "không phải PDF"),
        (b"%PDF-" + b"0" * services.MAX_DOCUMENT_BYTES, "20 MB"),
    ],
    ids=["zip-named-pdf", "empty", "too-large"],
)
def test_a_file_that_is_not_a_pdf_or_too_large_is_refused(setup, content, message):
    client, contest, *_ = setup
    page = upload(client, contest, content, "ke-hoach.pdf")
    assert message in page.get_data(as_text=True)
    assert db.session.query(ContestDocument).count() == 0
    assert not entries("document_added")


def test_a_document_of_another_contest_is_404(setup):
    client, contest, _participant, organizer = setup
    other = make_contest(slug="khac")
    document = services.add_document(
        other, "", "x.pdf", _pdf_file(), current_storage(), organizer, other.created_at
    )
    db.session.commit()
    assert document.title == "x"
    assert client.get(f"/contests/{contest.slug}/documents/{document.id}").status_code == 404
    delete = post(client, settings_path(contest, f"documents/{document.id}/delete"))
    assert delete.status_code == 404


# Round rules


def round_rules(contest, **changes) -> dict:
    values = {
        "questions_per_round": contest.questions_per_round,
        "round_time_limit_seconds": contest.round_time_limit_seconds,
        "submission_grace_seconds": contest.submission_grace_seconds,
        "max_attempts_total": contest.max_attempts_total or "",
        "max_attempts_per_day": contest.max_attempts_per_day or "",
        "max_starts_per_hour": contest.max_starts_per_hour or "",
    }
    return values | changes


def test_the_round_rules_are_saved_and_logged(setup):
    client, contest, *_ = setup
    make_questions(12)
    db.session.commit()
    data = round_rules(
        contest, questions_per_round=12, round_time_limit_seconds=480, max_attempts_per_day=3
    )
    response = post(client, settings_path(contest, "rounds"), **data)
    assert response.status_code == 302
    assert (contest.questions_per_round, contest.round_time_limit_seconds) == (12, 480)
    assert contest.max_attempts_per_day == 3
    assert contest.max_attempts_total is None
    (entry,) = entries("round_rules_changed")
    assert entry.details == {
        "questions_per_round": [10, 12],
        "round_time_limit_seconds": [600, 480],
        "max_attempts_per_day": [None, 3],
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"questions_per_round": "0"}, "1"),
        ({"round_time_limit_seconds": "mười"}, "số nguyên"),
        ({"submission_grace_seconds": "500"}, "120"),
        ({"max_attempts_total": "-1"}, "10000"),
        ({"max_starts_per_hour": "0"}, "60"),
        ({"max_starts_per_hour": "61"}, "60"),
        ({"max_starts_per_hour": "sáu"}, "số nguyên"),
    ],
)
def test_round_rules_out_of_range_are_refused(setup, changes, message):
    client, contest, *_ = setup
    response = post(client, settings_path(contest, "rounds"), **round_rules(contest, **changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert not entries("round_rules_changed")


def test_a_round_size_the_draw_rules_cannot_make_is_refused(setup):
    client, contest, *_ = setup
    make_questions(12)
    contest.draw_quotas = [DrawQuota(topic="Chủ đề thử", question_count=8)]
    db.session.commit()
    response = post(
        client, settings_path(contest, "rounds"), **round_rules(contest, questions_per_round=6)
    )
    assert response.status_code == 200
    assert contest.questions_per_round == 10
    too_many = post(
        client, settings_path(contest, "rounds"), **round_rules(contest, questions_per_round=40)
    )
    assert too_many.status_code == 200
    db.session.expire_all()
    assert contest.questions_per_round == 10
    assert not entries("round_rules_changed")


@pytest.mark.parametrize(
    "changes",
    [
        {"questions_per_round": 12},
        {"round_time_limit_seconds": 300},
        {"submission_grace_seconds": 10},
    ],
)
def test_the_round_is_fixed_once_a_round_was_played(setup, frozen_clock, changes):
    client, contest, participant, _ = setup
    make_questions(12)
    graded_round(contest, participant, 7, 100_000, frozen_clock.now - timedelta(hours=1))
    db.session.commit()
    response = post(client, settings_path(contest, "rounds"), **round_rules(contest, **changes))
    assert response.status_code == 200
    assert "để mọi lượt thi so sánh được" in flashed_error(response)
    db.session.expire_all()
    assert (contest.questions_per_round, contest.round_time_limit_seconds) == (10, 600)
    assert not entries("round_rules_changed")


# Draw rules: the same rule as the rounds page, through the same service


def draw_rules_form(client, contest, questions_per_round, **quotas) -> dict:
    """The draw rules form's data: the round size and a quota per topic named in `quotas`."""
    path = in_contest(contest, "/organizer/questions/draw-rules")
    html = client.get(path).get_data(as_text=True)
    fields = {
        topic: name for name, topic in re.findall(r'<label for="(topic_\d+)">([^<]+)</label>', html)
    }
    data = {"csrf_token": form_token(client, path), "questions_per_round": questions_per_round}
    return data | {fields[topic]: count for topic, count in quotas.items()}


def test_the_draw_rules_are_saved_and_logged_before_and_after(setup):
    client, contest, *_ = setup
    make_questions(8, topic="Luật Cán bộ")
    make_questions(8, topic="Cải cách hành chính")
    db.session.commit()
    path = in_contest(contest, "/organizer/questions/draw-rules")
    data = draw_rules_form(client, contest, 12, **{"Luật Cán bộ": 4})
    assert client.post(path, data=data).status_code == 302
    (entry,) = entries("draw_rules_changed")
    assert entry.details == {
        "questions_per_round": [10, 12],
        "topic_quotas": [{}, {"Luật Cán bộ": 4}],
    }
    audit = client.get(in_contest(contest, "/organizer/audit")).get_data(as_text=True)
    assert "Sửa quy tắc rút câu hỏi" in audit
    assert "— → Luật Cán bộ: 4" in audit
    again = client.post(path, data=draw_rules_form(client, contest, 12, **{"Luật Cán bộ": 4}))
    assert again.status_code == 302
    assert len(entries("draw_rules_changed")) == 1  # nothing changed, nothing logged


def test_the_draw_rules_keep_the_round_size_once_a_round_was_played(setup, frozen_clock):
    client, contest, participant, _ = setup
    make_questions(12)
    graded_round(contest, participant, 7, 100_000, frozen_clock.now - timedelta(hours=1))
    db.session.commit()
    path = in_contest(contest, "/organizer/questions/draw-rules")
    refused = client.post(path, data=draw_rules_form(client, contest, 12))
    assert refused.status_code == 200
    assert "để mọi lượt thi so sánh được" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert contest.questions_per_round == 10
    assert not entries("draw_rules_changed")
    # Quotas only choose which questions are drawn: they may still change.
    quota = draw_rules_form(client, contest, 10, **{"Chủ đề thử": 10})
    saved = client.post(path, data=quota)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    (entry,) = entries("draw_rules_changed")
    assert entry.details == {"topic_quotas": [{}, {"Chủ đề thử": 10}]}


def test_attempt_limits_are_raised_anytime_and_lowered_only_to_what_was_used(setup, frozen_clock):
    client, contest, participant, _ = setup
    contest.max_attempts_total = 5
    yesterday = frozen_clock.now - timedelta(days=1, hours=1)
    for n in range(3):  # two yesterday, one today
        moment = yesterday + timedelta(minutes=n) if n < 2 else frozen_clock.now
        graded_round(contest, participant, 5, 100_000, moment - timedelta(minutes=1))
    db.session.commit()
    path = settings_path(contest, "rounds")
    refused = post(client, path, **round_rules(contest, max_attempts_total=2))
    assert refused.status_code == 200
    assert "Đã có thí sinh thi 3 lượt" in refused.get_data(as_text=True)
    assert post(client, path, **round_rules(contest, max_attempts_total=3)).status_code == 302
    assert post(client, path, **round_rules(contest, max_attempts_total="")).status_code == 302
    assert contest.max_attempts_total is None  # raised to no limit
    assert post(client, path, **round_rules(contest, max_attempts_per_day=1)).status_code == 302
    assert services.most_rounds_used(contest, frozen_clock.now, _zone()) == (3, 1)
    assert [e.details for e in entries("round_rules_changed")] == [
        {"max_attempts_total": [5, 3]},
        {"max_attempts_total": [3, None]},
        {"max_attempts_per_day": [None, 1]},
    ]


def test_the_pace_limit_is_saved_removed_and_logged_even_after_rounds(setup, frozen_clock):
    client, contest, participant, _ = setup
    graded_round(contest, participant, 7, 100_000, frozen_clock.now - timedelta(hours=1))
    db.session.commit()
    path = settings_path(contest, "rounds")
    assert contest.max_starts_per_hour == 6  # the default
    assert post(client, path, **round_rules(contest, max_starts_per_hour=3)).status_code == 302
    assert contest.max_starts_per_hour == 3
    assert post(client, path, **round_rules(contest, max_starts_per_hour="")).status_code == 302
    assert contest.max_starts_per_hour is None
    assert [e.details for e in entries("round_rules_changed")] == [
        {"max_starts_per_hour": [6, 3]},
        {"max_starts_per_hour": [3, None]},
    ]


def _zone():
    from contest import clock

    return clock.local_zone()


# Answers and leaderboard


def test_the_visibility_is_saved_and_logged(setup):
    client, contest, *_ = setup
    path = settings_path(contest, "visibility")
    # The box left unticked: hidden.
    response = post(client, path, review_policy="never", max_exposure_percent="30")
    assert response.status_code == 302
    assert contest.review_policy is ReviewPolicy.NEVER
    assert contest.leaderboard_public is False
    assert contest.max_exposure_percent == 30
    (entry,) = entries("visibility_changed")
    assert entry.details == {
        "review_policy": ["after_close", "never"],
        "leaderboard_public": [True, False],
        "max_exposure_percent": [50, 30],
    }
    assert post(client, path, review_policy="sometimes").status_code == 200


@pytest.mark.parametrize("share", ["0", "101", "-5", "năm mươi", ""])
def test_an_exposure_share_outside_1_to_100_is_refused_with_a_message(setup, share):
    client, contest, *_ = setup
    path = settings_path(contest, "visibility")
    refused = post(client, path, review_policy="after_close", max_exposure_percent=share)
    assert refused.status_code == 200
    assert 'class="error"' in refused.get_data(as_text=True)
    assert contest.max_exposure_percent == 50
    assert entries("visibility_changed") == []


def test_the_exposure_share_is_checked_by_the_service_too(setup):
    _, contest, _, organizer = setup
    share = services.Visibility("after_close", True, 0)
    with pytest.raises(services.SetupRefused):
        services.change_visibility(contest, share, organizer, contest.quiz_opens_at)


def test_answers_after_each_round_cannot_start_mid_contest_once_rounds_were_played(
    setup, frozen_clock
):
    client, contest, participant, _ = setup
    path = settings_path(contest, "visibility")
    graded_round(contest, participant, 7, 100_000, frozen_clock.now - timedelta(hours=1))
    db.session.commit()
    refused = post(
        client, path, review_policy="after_submit", leaderboard_public="y", max_exposure_percent=50
    )
    assert refused.status_code == 200
    assert contest.review_policy is ReviewPolicy.AFTER_CLOSE
    contest.quiz_closes_at = frozen_clock.now - timedelta(minutes=1)
    db.session.commit()
    allowed = post(
        client, path, review_policy="after_submit", leaderboard_public="y", max_exposure_percent=50
    )
    assert allowed.status_code == 302
    assert contest.review_policy is ReviewPolicy.AFTER_SUBMIT


def test_a_hidden_leaderboard_is_for_organizers_until_the_quiz_closes(setup, app, frozen_clock):
    client, contest, participant, organizer = setup
    contest.leaderboard_public = False
    db.session.commit()
    page = in_contest(contest, "/results/leaderboard")
    api_path = in_contest(contest, "/leaderboard")
    assert client.get(page).status_code == 200  # the organizer
    assert client.get("/api/v1" + api_path).status_code == 200
    other = app.test_client()
    assert other.get(in_contest(contest, "/results/leaderboard")).status_code == 403  # anonymous
    api = ApiClient(other)
    hidden = api.get(api_path)
    assert hidden.status_code == 403
    assert hidden.get_json()["error"] == "leaderboard_hidden"
    api.login(participant)
    assert other.get(in_contest(contest, "/results/leaderboard")).status_code == 403
    assert "See the leaderboard" not in other.get(in_contest(contest, "/?lang=en")).get_data(
        as_text=True
    )
    contest.quiz_closes_at = frozen_clock.now
    db.session.commit()
    assert other.get(in_contest(contest, "/results/leaderboard")).status_code == 200
    assert api.get(api_path).status_code == 200


# Video rules (on the video settings page), eligibility and the prize budget


def video_settings(**changes) -> dict:
    values = {
        "max_videos_per_unit": "2",
        "video_max_megabytes": "1024",
        "video_max_minutes": "",
        "score_aggregation": "mean",
        "allowed_video_forms": ["song", "stage"],
    }
    return values | changes


EVERY_FORM = [form.value for form in VideoForm]


def test_the_video_limit_cannot_go_below_what_a_unit_holds(setup):
    client, contest, participant, _ = setup
    for n in range(2):
        db.session.add(
            Video(
                contest_id=contest.id,
                unit_id=participant.unit_id,
                uploaded_by_id=participant.id,
                title=f"Video {n}",
                form=VideoForm.SONG,
                original_filename="v.mp4",
                size_bytes=10,
                part_size=10,
                storage_key=f"videos/held/{n}",
                state=VideoState.READY,
            )
        )
    db.session.commit()
    refused = post(
        client, in_contest(contest, "/judging/settings"), **video_settings(max_videos_per_unit="1")
    )
    assert refused.status_code == 200
    assert contest.max_videos_per_unit == 2
    none = post(
        client, in_contest(contest, "/judging/settings"), **video_settings(allowed_video_forms=[])
    )
    assert none.status_code == 200
    assert (
        post(client, in_contest(contest, "/judging/settings"), **video_settings()).status_code
        == 302
    )
    assert contest.video_forms() == [VideoForm.SONG, VideoForm.STAGE]
    assert contest.allowed_video_forms == "song,stage"
    assert (
        post(
            client,
            in_contest(contest, "/judging/settings"),
            **video_settings(allowed_video_forms=[f.value for f in VideoForm]),
        ).status_code
        == 302
    )
    assert contest.allowed_video_forms is None  # every form


def test_the_minimum_participation_is_set_with_the_rules_and_the_budget_is_shown(setup):
    from tests.test_rules_and_prediction import rules_form

    client, contest, *_ = setup
    rules = in_contest(contest, "/organizer/results-rules")
    html = client.get(rules).get_data(as_text=True)
    assert "61.000.000 đ" in html
    fields = rules_form(client, rules) | {"min_participation_percent": "10"}
    assert client.post(rules, data=fields).status_code == 302
    assert contest.min_participation_percent == 10
    (entry,) = entries("results_rules_changed")
    assert entry.details["min_participation_percent"] == [0, 10]
    over = rules_form(client, rules) | {"min_participation_percent": "101"}
    assert client.post(rules, data=over).status_code == 200
    assert "10%" in client.get(in_contest(contest, "/")).get_data(as_text=True)
    row = db.session.query(PrizeTierRow).filter_by(contest_id=contest.id, name="Giải Nhất").one()
    row.amount = 11_000_000
    db.session.commit()
    assert "62.000.000 đ" in client.get(rules).get_data(as_text=True)


def test_a_contest_offers_and_accepts_only_its_video_forms(setup, app):
    from contest.videos.forms import VideoInfoForm
    from contest.videos.services import InvalidVideoDetails, _check_form

    _client, contest, *_ = setup
    contest.allowed_video_forms = "song"
    with app.test_request_context():
        offered = VideoInfoForm(meta={"csrf": False}).offer_forms_of(contest)
        kept = VideoInfoForm(meta={"csrf": False}).offer_forms_of(contest, keep=VideoForm.STAGE)
    assert [choice.value for choice in offered.form.choices] == ["song"]
    assert [choice.value for choice in kept.form.choices] == ["song", "stage"]
    _check_form(contest, VideoForm.SONG)
    with pytest.raises(InvalidVideoDetails):
        _check_form(contest, VideoForm.STAGE)
