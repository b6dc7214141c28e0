"""Unit admins' pages and what every page shares (issue 16, items 6-7 and 17-20): the videos
page's counter, history, removal of a rejected entry, unfinished uploads; the menu; the time
zone's name; error pages in plain words; the favicon and the contest's emblem; the app's own
words instead of the browser's."""

import html
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from contest.extensions import db
from contest.models import Role, Video, VideoForm, VideoState
from contest.storage import current_storage
from tests.helpers import ApiClient, form_token, in_contest, make_contest, make_unit, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def unit_world(client, db_session):
    now = datetime.now(UTC)
    contest = make_contest(
        now, video_opens_at=now - timedelta(days=1), video_closes_at=now + timedelta(days=5)
    )
    unit = make_unit()
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    db.session.commit()
    ApiClient(client).login(admin)
    return contest, unit, admin


def a_video(contest, unit, admin, state: VideoState, title: str) -> Video:
    n = db.session.query(Video).count() + 1
    video = Video(
        contest_id=contest.id,
        unit_id=unit.id,
        uploaded_by=admin,
        title=title,
        form=VideoForm.SONG,
        original_filename=f"{title}.mp4",
        size_bytes=1000,
        part_size=1000,
        storage_key=f"videos/test/{n}-{title}.mp4",
        state=state,
    )
    db.session.add(video)
    db.session.flush()
    return video


def test_the_videos_page_counts_sent_videos_and_folds_the_history(client, unit_world):
    contest, unit, admin = unit_world
    a_video(contest, unit, admin, VideoState.READY, "Bản chính")
    unfinished = a_video(contest, unit, admin, VideoState.UPLOADING, "Dang tai")
    a_video(contest, unit, admin, VideoState.WITHDRAWN, "Bản cũ")
    rejected = a_video(contest, unit, admin, VideoState.REJECTED, "Hỏng")
    db.session.commit()

    page = client.get(in_contest(contest, "/videos/")).get_data(as_text=True)
    assert "Đơn vị đã gửi 1 video." in page  # the unfinished upload is not counted as sent
    assert "Còn 1 lượt tải lên chưa xong đang giữ chỗ" in page
    current, history = page.split('data-testid="video-history"')
    assert "Bản chính" in current
    assert "Dang tai" in current
    assert "Bản cũ" not in current
    assert "Hỏng" not in current
    assert "Bản cũ" in history
    assert "Hỏng" in history
    assert "▶" not in page  # nothing here can play yet in the page
    assert "Đã tải lên 0%" in current
    assert f"/videos/{unfinished.id}#resume" in current
    assert f"/videos/{rejected.id}/remove" in history

    resume = client.get(in_contest(contest, f"/videos/{unfinished.id}")).get_data(as_text=True)
    assert 'data-resume-name="Dang tai.mp4"' in resume
    assert 'name="title"' in resume  # the details go hidden: only the file is asked for
    assert 'type="hidden" name="title"' in resume
    assert "Tiếp tục tải" in resume


def test_a_rejected_video_can_be_removed_and_only_a_rejected_one(client, unit_world):
    contest, unit, admin = unit_world
    rejected = a_video(contest, unit, admin, VideoState.REJECTED, "Hỏng")
    ready = a_video(contest, unit, admin, VideoState.READY, "Tốt")
    db.session.commit()
    path = in_contest(contest, f"/videos/{rejected.id}/remove")
    token = form_token(client, in_contest(contest, "/videos/"))

    removed = client.post(path, data={"csrf_token": token})
    assert removed.status_code == 302
    assert db.session.get(Video, rejected.id) is None

    refused = client.post(
        in_contest(contest, f"/videos/{ready.id}/remove"), data={"csrf_token": token}
    )
    assert refused.status_code == 302
    assert db.session.get(Video, ready.id).state is VideoState.READY
    page = client.get(in_contest(contest, "/videos/")).get_data(as_text=True)
    assert "Chỉ xóa được video bị từ chối" in page

    other = make_user(Role.UNIT_ADMIN, unit=make_unit())
    stranger_video = a_video(contest, other.unit, other, VideoState.REJECTED, "Của đơn vị khác")
    db.session.commit()
    client.post(
        in_contest(contest, f"/videos/{stranger_video.id}/remove"), data={"csrf_token": token}
    )
    assert db.session.get(Video, stranger_video.id) is not None


def test_the_unit_admin_menu_leads_to_the_units_participation(client, unit_world):
    contest, unit, _ = unit_world
    page = client.get(in_contest(contest, "/videos/")).get_data(as_text=True)
    assert f'href="/contests/{contest.slug}/organizer/participation/{unit.id}"' in page


def test_times_name_vietnam_time_not_the_zone_database(client, db_session):
    contest = make_contest()
    page = client.get(in_contest(contest, "/")).get_data(as_text=True)
    assert "Mọi thời gian đều tính theo giờ Việt Nam (GMT+7)." in page
    assert "Asia/Ho_Chi_Minh" not in page


def test_error_pages_speak_plain_words(client, db_session):
    missing = client.get("/contests/no-such-contest/")
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert "Không tìm thấy trang" in text
    assert "<h1>Lỗi 404</h1>" not in text


@pytest.mark.parametrize(
    ("status", "headers", "heading", "advice"),
    [
        (409, {}, "Dữ liệu vừa thay đổi", "Hãy tải lại trang"),
        (429, {"Retry-After": "30"}, "quá nhiều lần", "Vui lòng chờ 30 giây rồi thử lại."),
        (429, {}, "quá nhiều lần", "Vui lòng chờ khoảng một phút"),
    ],
)
def test_conflicts_and_rate_limits_say_what_to_do(app, status, headers, heading, advice):
    from werkzeug.exceptions import Conflict, TooManyRequests

    error = Conflict() if status == 409 else TooManyRequests()
    if headers:
        error.retry_after = int(headers["Retry-After"])
    with app.test_request_context("/some-page"):
        page, code, _ = app._find_error_handler(error, [])(error)
    assert code == status
    assert heading in page
    assert advice in page


def test_the_favicon_and_the_contest_emblem(client, db_session):
    contest = make_contest()
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    page = client.get(in_contest(contest, "/")).get_data(as_text=True)
    assert 'rel="icon"' in page
    favicon = client.get("/static/favicon.svg")
    assert favicon.status_code == 200
    favicon.close()
    assert 'class="emblem"' not in page

    ApiClient(client).login(organizer)
    identity = in_contest(contest, "/organizer/settings/identity")
    token = form_token(client, identity)
    upload = in_contest(contest, "/organizer/settings/emblem")
    refused = client.post(
        upload,
        data={"csrf_token": token, "file": (io.BytesIO(b"GIF89a...."), "logo.gif")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 302
    assert contest.emblem_key is None
    big = client.post(
        upload,
        data={"csrf_token": token, "file": (io.BytesIO(PNG + b"\x00" * 300_000), "logo.png")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 302
    assert contest.emblem_key is None

    saved = client.post(
        upload,
        data={"csrf_token": token, "file": (io.BytesIO(PNG), "logo.png")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    key = contest.emblem_key
    assert key.startswith(f"emblems/{contest.id}/")
    served = client.get(in_contest(contest, "/documents/emblem"))
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.get_data() == PNG
    served.close()
    assert 'class="emblem"' in client.get(in_contest(contest, "/")).get_data(as_text=True)

    removed = client.post(
        in_contest(contest, "/organizer/settings/emblem/delete"), data={"csrf_token": token}
    )
    assert removed.status_code == 302
    assert contest.emblem_key is None
    assert current_storage().size(key) is None
    assert client.get(in_contest(contest, "/documents/emblem")).status_code == 404


def test_pages_carry_their_own_words_for_the_browsers_checks_and_file_picker(client, db_session):
    page = client.get("/auth/login").get_data(as_text=True)
    words = json.loads(html.unescape(re.search(r'<body data-messages="([^"]*)"', page).group(1)))
    assert words["valueMissing"] == "Vui lòng nhập thông tin này."
    assert words["noFile"] == "Chưa chọn tệp nào"
    assert words["rangeUnderflow"] == "Tối thiểu {min}."
