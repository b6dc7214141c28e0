"""Video uploads through the API, processing, playback, and who may do what."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contest.extensions import db
from contest.models import AuditEntry, Role, Video, VideoState
from contest.storage import UploadNotFound, current_storage
from tests.helpers import ApiClient, form_token, in_contest, make_contest, make_unit, make_user
from tests.media_samples import make_sample, write_fake

UPLOADS = "/videos/uploads"


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("samples")
    return {
        **{kind: make_sample(folder, kind) for kind in ("mp4", "webm", "avi_mpeg4", "located_mp4")},
        **{kind: write_fake(folder, kind) for kind in ("text_named_mp4", "zip_named_mp4")},
    }


class World:
    def __init__(self, app):
        now = datetime.now(UTC)
        self.contest = make_contest(
            now, video_opens_at=now - timedelta(days=1), video_closes_at=now + timedelta(days=5)
        )
        self.unit, self.other_unit = make_unit(), make_unit()
        self.admin = make_user(Role.UNIT_ADMIN, unit=self.unit)
        self.other_admin = make_user(Role.UNIT_ADMIN, unit=self.other_unit)
        self.participant = make_user(Role.PARTICIPANT, unit=self.unit)
        self.judge_same_unit = make_user(Role.JUDGE, unit=self.unit)
        self.judge = make_user(Role.JUDGE, unit=self.other_unit)
        self.organizer = make_user(Role.ORGANIZER)
        db.session.commit()


@pytest.fixture
def world(app, db_session):
    return World(app)


@pytest.fixture
def small_parts(app):
    """Parts of 8 KiB, so a small sample travels in several parts."""
    previous = app.config["VIDEO_PART_SIZE"]
    app.config["VIDEO_PART_SIZE"] = 8 * 1024
    yield 8 * 1024
    app.config["VIDEO_PART_SIZE"] = previous


def fetch(client, path: str, **kwargs):
    """GET, read the whole body and close the response (a served file stays open until then)."""
    response = client.get(path, **kwargs)
    response.get_data()
    response.close()
    return response


def login(client, user) -> ApiClient:
    api = ApiClient(client)
    api.login(user)
    return api


def details(path: Path, **overrides) -> dict:
    values = {
        "title": "Dịch vụ công trực tuyến",
        "description": "Giới thiệu cổng dịch vụ công.",
        "form": "song",
        "filename": path.name,
        "size": path.stat().st_size,
        "content_type": "video/mp4",
    }
    values.update(overrides)
    return values


def send_parts(api: ApiClient, upload: dict, data: bytes, numbers=None) -> None:
    size = upload["part_size"]
    for number in numbers or range(1, upload["part_count"] + 1):
        chunk = data[(number - 1) * size : number * size]
        response = api.client.put(
            f"/api/v1{UPLOADS}/{upload['video_id']}/parts/{number}",
            data=chunk,
            headers={"X-CSRFToken": api.csrf_token, "Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 200, response.get_json()


def upload(api: ApiClient, contest, path: Path, **overrides) -> dict:
    """The browser's whole journey: start, every part, complete (processing runs inline)."""
    started = api.post(in_contest(contest, UPLOADS), json=details(path, **overrides))
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    send_parts(api, body, path.read_bytes())
    completed = api.post(f"{UPLOADS}/{body['video_id']}/complete")
    assert completed.status_code == 200, completed.get_json()
    return completed.get_json()


def test_an_mp4_is_uploaded_in_parts_processed_and_played_with_ranges(
    client, world, samples, small_parts
):
    api = login(client, world.admin)
    data = samples["mp4"].read_bytes()
    started = api.post(
        in_contest(world.contest, UPLOADS),
        json=details(samples["mp4"], filename="Phóng sự Đoàn xã.mp4"),
    )
    upload_body = started.get_json()
    assert upload_body["part_count"] == -(-len(data) // small_parts) > 1
    assert upload_body["direct"] is False
    # Out of order, and the first part twice: both are harmless.
    numbers = list(range(upload_body["part_count"], 0, -1)) + [1]
    send_parts(api, upload_body, data, numbers)
    done = api.post(f"{UPLOADS}/{upload_body['video_id']}/complete").get_json()
    assert done["state"] == "ready"

    video = db.session.get(Video, upload_body["video_id"])
    assert video.original_filename == "Phóng sự Đoàn xã.mp4"
    assert (video.width, video.height, video.video_codec) == (160, 120, "h264")
    assert 1.8 < video.duration_seconds < 2.3
    assert not video.transcoded
    assert video.playback_key == video.storage_key
    assert current_storage().size(video.thumbnail_key) > 0
    assert current_storage().local_path(video.storage_key).read_bytes() == data

    whole = fetch(client, in_contest(world.contest, f"/videos/{video.id}/media"))
    assert whole.status_code == 200
    assert whole.mimetype == "video/mp4"
    assert whole.data == data
    ranged = fetch(
        client,
        in_contest(world.contest, f"/videos/{video.id}/media"),
        headers={"Range": "bytes=100-199"},
    )
    assert ranged.status_code == 206
    assert ranged.data == data[100:200]
    assert ranged.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    thumbnail = fetch(client, in_contest(world.contest, f"/videos/{video.id}/thumbnail"))
    assert thumbnail.status_code == 200
    assert thumbnail.data[:2] == b"\xff\xd8"


def test_a_webm_plays_as_is_and_an_avi_is_transcoded(client, world, samples):
    api = login(client, world.admin)
    webm = db.session.get(
        Video, upload(api, world.contest, samples["webm"], content_type="video/webm")["video_id"]
    )
    assert webm.state is VideoState.READY
    assert webm.video_codec == "vp9"
    assert not webm.transcoded
    assert (
        fetch(client, in_contest(world.contest, f"/videos/{webm.id}/media")).mimetype
        == "video/webm"
    )

    avi = db.session.get(Video, upload(api, world.contest, samples["avi_mpeg4"])["video_id"])
    assert avi.state is VideoState.READY
    assert avi.transcoded
    assert avi.playback_key.endswith("playback.mp4")
    played = fetch(
        client,
        in_contest(world.contest, f"/videos/{avi.id}/media"),
        headers={"Range": "bytes=0-11"},
    )
    assert played.status_code == 206
    assert played.data[4:8] == b"ftyp"
    # The original is kept: nothing uploaded is lost by converting it.
    assert current_storage().read_head(avi.storage_key, 4) == samples["avi_mpeg4"].read_bytes()[:4]


@pytest.mark.parametrize(
    ("kind", "code"), [("text_named_mp4", "text"), ("zip_named_mp4", "archive")]
)
def test_a_file_that_is_not_a_video_is_rejected_with_its_reason_and_deleted(
    client, world, samples, kind, code
):
    api = login(client, world.admin)
    body = upload(api, world.contest, samples[kind], filename="video.mp4")
    video = db.session.get(Video, body["video_id"])
    assert video.state is VideoState.REJECTED
    assert video.failure_code == code
    assert current_storage().size(video.storage_key) is None
    page = client.get(in_contest(world.contest, "/videos/")).get_data(as_text=True)
    assert "Bị từ chối" in page or "Rejected" in page
    # A rejected video frees its place.
    assert (
        api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).status_code
        == 201
    )


def test_the_duration_limit_rejects_a_long_video(client, world, samples):
    world.contest.video_max_duration_seconds = 1
    db.session.commit()
    api = login(client, world.admin)
    video = db.session.get(Video, upload(api, world.contest, samples["mp4"])["video_id"])
    assert video.state is VideoState.REJECTED
    assert video.failure_code == "too_long"


def test_a_resumed_upload_sends_only_the_missing_parts(client, world, samples, small_parts):
    api = login(client, world.admin)
    data = samples["mp4"].read_bytes()
    body = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).get_json()
    send_parts(api, body, data, [1, 3])
    # A reload: the page asks what the server holds.
    listed = api.get(in_contest(world.contest, UPLOADS)).get_json()["uploads"]
    assert [u["video_id"] for u in listed] == [body["video_id"]]
    state = api.get(f"{UPLOADS}/{body['video_id']}").get_json()
    assert [part["number"] for part in state["parts"]] == [1, 3]
    early = api.post(f"{UPLOADS}/{body['video_id']}/complete")
    assert early.status_code == 409
    assert early.get_json()["error"] == "upload_incomplete"
    missing = [n for n in range(1, body["part_count"] + 1) if n not in (1, 3)]
    send_parts(api, body, data, missing)
    assert api.post(f"{UPLOADS}/{body['video_id']}/complete").get_json()["state"] == "ready"


def test_a_short_part_is_refused_and_not_counted_as_stored(client, world, samples, small_parts):
    api = login(client, world.admin)
    body = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).get_json()
    short = api.client.put(
        f"/api/v1{UPLOADS}/{body['video_id']}/parts/1",
        data=b"x" * 100,
        headers={"X-CSRFToken": api.csrf_token},
    )
    assert short.status_code == 400
    assert short.get_json()["error"] == "part_rejected"
    assert api.get(f"{UPLOADS}/{body['video_id']}").get_json()["parts"] == []
    too_long = api.client.put(
        f"/api/v1{UPLOADS}/{body['video_id']}/parts/1",
        data=b"x" * (small_parts + 1),
        headers={"X-CSRFToken": api.csrf_token},
    )
    assert too_long.status_code == 400
    outside = api.client.put(
        f"/api/v1{UPLOADS}/{body['video_id']}/parts/{body['part_count'] + 1}",
        data=b"x",
        headers={"X-CSRFToken": api.csrf_token},
    )
    assert outside.status_code == 400


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"size": 0}, 422, "invalid_video"),
        ({"size": 2 * 1024**3}, 413, "video_too_large"),
        ({"size": "nhiều"}, 422, "invalid_video"),
        ({"title": ""}, 422, "invalid_video"),
        ({"form": "karaoke"}, 422, "invalid_video"),
        ({"title": 12345}, 422, "invalid_video"),
        ({"filename": ["phim.mp4"]}, 422, "invalid_video"),
        ({"description": {"a": 1}}, 422, "invalid_video"),
        ({"size": True}, 422, "invalid_video"),
        ({"size": "5"}, 422, "invalid_video"),
    ],
)
def test_bad_details_are_refused_before_any_byte(client, world, samples, overrides, status, code):
    api = login(client, world.admin)
    response = api.post(
        in_contest(world.contest, UPLOADS), json=details(samples["mp4"], **overrides)
    )
    assert response.status_code == status
    assert response.get_json()["error"] == code
    assert db.session.query(Video).count() == 0


def test_a_whole_number_written_with_a_decimal_point_is_a_size(client, world, samples):
    api = login(client, world.admin)
    body = details(samples["mp4"], size=float(samples["mp4"].stat().st_size))
    started = api.post(in_contest(world.contest, UPLOADS), json=body)
    assert started.status_code == 201, started.get_json()
    assert started.get_json()["size"] == samples["mp4"].stat().st_size
    assert (
        api.post(
            in_contest(world.contest, UPLOADS), json=details(samples["mp4"], size=10.5)
        ).status_code
        == 422
    )


def test_null_details_are_absent_not_the_text_none(client, world, samples):
    api = login(client, world.admin)
    body = details(samples["mp4"], description=None, content_type=None, replaces_id=None)
    video = db.session.get(
        Video, api.post(in_contest(world.contest, UPLOADS), json=body).get_json()["video_id"]
    )
    assert video.description is None
    assert video.content_type == "application/octet-stream"
    forged = api.post(
        in_contest(world.contest, UPLOADS), json=details(samples["mp4"], replaces_id=True)
    )
    assert forged.status_code == 404


def test_file_names_are_kept_for_display_never_used_as_paths(client, world, samples):
    api = login(client, world.admin)
    nul = api.post(
        in_contest(world.contest, UPLOADS), json=details(samples["mp4"], filename="passwd\x00.mp4")
    )
    assert nul.status_code == 400  # a NUL is refused in every text, names included
    assert nul.get_json()["error"] == "invalid_text"
    traversal = upload(api, world.contest, samples["mp4"], filename="../../etc/passwd.mp4")
    video = db.session.get(Video, traversal["video_id"])
    assert video.original_filename == "passwd.mp4"
    assert video.storage_key.startswith(f"videos/{world.contest.id}/")
    assert ".." not in video.storage_key
    long_name = "Tuyên truyền cải cách hành chính " * 20 + ".mp4"
    body = api.post(
        in_contest(world.contest, UPLOADS), json=details(samples["mp4"], filename=long_name)
    ).get_json()
    stored = db.session.get(Video, body["video_id"]).original_filename
    assert len(stored) == 255
    assert stored.endswith(".mp4")
    assert stored.startswith("Tuyên truyền")


def test_the_unit_limit_and_a_replacement(client, world, samples):
    api = login(client, world.admin)
    first = upload(api, world.contest, samples["mp4"], title="Một")
    upload(api, world.contest, samples["webm"], title="Hai")
    refused = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"], title="Ba"))
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "video_limit_reached"
    replacement = upload(
        api,
        world.contest,
        samples["avi_mpeg4"],
        title="Một (bản mới)",
        replaces_id=first["video_id"],
    )
    old = db.session.get(Video, first["video_id"])
    new = db.session.get(Video, replacement["video_id"])
    assert new.state is VideoState.READY
    assert new.replaces_id is None
    assert old.state is VideoState.WITHDRAWN
    assert current_storage().size(old.storage_key) is None


def test_withdrawing_and_cancelling(client, world, samples):
    api = login(client, world.admin)
    video_id = upload(api, world.contest, samples["mp4"])["video_id"]
    token = form_token(client, in_contest(world.contest, f"/videos/{video_id}"))
    response = client.post(
        in_contest(world.contest, f"/videos/{video_id}/withdraw"), data={"csrf_token": token}
    )
    assert response.status_code == 302
    video = db.session.get(Video, video_id)
    assert video.state is VideoState.WITHDRAWN
    assert current_storage().size(video.storage_key) is None

    pending = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).get_json()
    assert api.delete(f"{UPLOADS}/{pending['video_id']}").status_code == 204
    assert db.session.get(Video, pending["video_id"]) is None
    # A cancelled upload's id is never given again: a browser may still try to resume it.
    again = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).get_json()
    assert again["video_id"] > pending["video_id"]


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, ""), (2.04, "0:02"), (185, "3:05"), (3727.6, "1:02:08")]
)
def test_video_lengths_read_as_clock_times(seconds, text):
    from contest.i18n import format_video_length

    assert format_video_length(seconds) == text


def test_nothing_changes_after_the_window_closes(client, world, samples, frozen_clock):
    api = login(client, world.admin)
    ready = upload(api, world.contest, samples["mp4"])
    started = api.post(in_contest(world.contest, UPLOADS), json=details(samples["webm"])).get_json()
    frozen_clock.now = world.contest.video_closes_at + timedelta(seconds=1)
    late_start = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"]))
    assert late_start.status_code == 409
    assert late_start.get_json()["error"] == "video_window_closed"
    late_part = api.client.put(
        f"/api/v1{UPLOADS}/{started['video_id']}/parts/1",
        data=samples["webm"].read_bytes(),
        headers={"X-CSRFToken": api.csrf_token},
    )
    assert late_part.status_code == 409
    token = form_token(client, in_contest(world.contest, f"/videos/{ready['video_id']}"))
    client.post(
        in_contest(world.contest, f"/videos/{ready['video_id']}/withdraw"),
        data={"csrf_token": token},
    )
    assert db.session.get(Video, ready["video_id"]).state is VideoState.READY


def test_forged_and_unknown_requests(client, world, samples):
    api = login(client, world.admin)
    body = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).get_json()
    no_token = client.put(f"/api/v1{UPLOADS}/{body['video_id']}/parts/1", data=b"x")
    assert no_token.status_code == 400
    assert no_token.get_json()["error"] == "csrf_failed"
    assert api.get(f"{UPLOADS}/987654").status_code == 404
    assert api.post(in_contest(world.contest, UPLOADS), json=[1, 2]).status_code == 400
    assert client.get(in_contest(world.contest, "/videos/987654")).status_code == 404
    # Another unit's admin cannot see or touch this upload.
    other = login(client, world.other_admin)
    assert other.get(f"{UPLOADS}/{body['video_id']}").status_code == 404
    assert other.delete(f"{UPLOADS}/{body['video_id']}").status_code == 404


def test_a_failed_video_is_retried_by_an_organizer(client, world, samples, monkeypatch):
    from contest import media

    api = login(client, world.admin)

    def broken(*args, **kwargs):
        raise media.MediaError("ffmpeg exploded")

    monkeypatch.setattr(media, "make_thumbnail", broken)
    video_id = upload(api, world.contest, samples["mp4"])["video_id"]
    video = db.session.get(Video, video_id)
    assert video.state is VideoState.FAILED
    assert "ffmpeg exploded" in video.failure_detail
    assert current_storage().size(video.storage_key) > 0  # kept for the retry
    monkeypatch.undo()
    login(client, world.organizer)
    token = form_token(client, in_contest(world.contest, f"/videos/{video_id}"))
    assert (
        client.post(
            in_contest(world.contest, f"/videos/{video_id}/retry"), data={"csrf_token": token}
        ).status_code
        == 302
    )
    db.session.refresh(video)
    assert video.state is VideoState.READY


def test_the_scheduler_sweep_processes_what_the_web_left(app, client, world, samples):
    from contest.videos import processing

    api = login(client, world.admin)
    app.config["VIDEO_PROCESSING"] = "scheduler"
    try:
        video_id = upload(api, world.contest, samples["mp4"])["video_id"]
    finally:
        app.config["VIDEO_PROCESSING"] = "inline"
    assert db.session.get(Video, video_id).state is VideoState.RECEIVED
    assert processing.process_waiting(app) == 1
    db.session.expire_all()
    assert db.session.get(Video, video_id).state is VideoState.READY
    assert processing.process_waiting(app) == 0


# Who may do what. Statuses: 200 allowed, 403 refused, 302 to the login page.
ACTORS = ("participant", "other_admin", "judge_same_unit", "judge", "organizer", "anonymous")


def as_actor(client, world, actor):
    if actor != "anonymous":
        login(client, getattr(world, actor))


@pytest.fixture
def ready_video(client, world, samples) -> int:
    api = login(client, world.admin)
    video_id = upload(api, world.contest, samples["mp4"])["video_id"]
    api.delete("/session")
    return video_id


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("participant", 403),
        ("other_admin", 403),
        ("judge_same_unit", 403),
        ("judge", 200),
        ("organizer", 200),
        ("anonymous", 302),
    ],
)
def test_who_may_watch_before_publication(client, world, ready_video, actor, expected):
    as_actor(client, world, actor)
    assert client.get(in_contest(world.contest, f"/videos/{ready_video}")).status_code == expected
    assert (
        fetch(client, in_contest(world.contest, f"/videos/{ready_video}/media")).status_code
        == expected
    )


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("participant", 403),
        ("other_admin", 403),
        ("judge_same_unit", 403),
        ("judge", 200),
        ("organizer", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_score(client, world, ready_video, actor, expected):
    as_actor(client, world, actor)
    assert (
        client.get(in_contest(world.contest, f"/judging/videos/{ready_video}")).status_code
        == expected
    )


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("participant", 403),
        ("other_admin", 201),
        ("judge_same_unit", 403),
        ("judge", 403),
        ("organizer", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_upload(client, world, samples, actor, expected):
    as_actor(client, world, actor)
    api = ApiClient(client)
    assert (
        api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).status_code
        == expected
    )


@pytest.mark.parametrize(
    "path",
    [
        "/videos/all",
        "/judging/overview",
        "/judging/rubric",
        "/judging/settings",
        "/judging/assignments",
        "/results/standings",
        "/organizer/audit",
    ],
)
@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("participant", 403),
        ("other_admin", 403),
        ("judge_same_unit", 403),
        ("judge", 403),
        ("organizer", 200),
        ("anonymous", 302),
    ],
)
def test_who_may_open_the_organizer_views(client, world, actor, expected, path):
    as_actor(client, world, actor)
    assert client.get(in_contest(world.contest, path)).status_code == expected


def test_the_owner_unit_watches_its_own_video(client, world, ready_video):
    login(client, world.admin)
    assert (
        fetch(client, in_contest(world.contest, f"/videos/{ready_video}/media")).status_code == 200
    )


def test_the_public_gallery_opens_after_publication_when_enabled(
    client, world, ready_video, frozen_clock
):
    assert client.get(in_contest(world.contest, "/videos/gallery")).status_code == 404
    world.contest.results_publish_at = datetime.now(UTC) + timedelta(days=1)
    world.contest.video_gallery_public = True
    db.session.commit()
    assert client.get(in_contest(world.contest, "/videos/gallery")).status_code == 404
    frozen_clock.now = world.contest.results_publish_at
    page = client.get(in_contest(world.contest, "/videos/gallery"))
    assert page.status_code == 200
    assert "Dịch vụ công trực tuyến" in page.get_data(as_text=True)
    assert (
        fetch(client, in_contest(world.contest, f"/videos/{ready_video}/media")).status_code == 200
    )


def test_an_organizer_edit_of_settings_is_logged(client, world):
    login(client, world.organizer)
    token = form_token(client, in_contest(world.contest, "/judging/settings"))
    response = client.post(
        in_contest(world.contest, "/judging/settings"),
        data={
            "csrf_token": token,
            "max_videos_per_unit": "3",
            "video_max_megabytes": "500",
            "video_max_minutes": "5",
            "score_aggregation": "trimmed_mean",
            "judging_blind": "y",
            "allowed_video_forms": ["song", "narration"],
        },
    )
    assert response.status_code == 302
    assert world.contest.max_videos_per_unit == 3
    assert [form.value for form in world.contest.video_forms()] == ["song", "narration"]
    assert world.contest.video_max_bytes == 500 * 1024**2
    assert world.contest.video_max_duration_seconds == 300
    assert world.contest.judging_blind
    entry = db.session.query(AuditEntry).one()
    assert entry.action == "video_settings_changed"
    assert entry.actor_id == world.organizer.id
    assert entry.details["max_videos_per_unit"] == [2, 3]
    assert entry.details["judging_blind"] == [False, True]
    assert entry.details["video_max_minutes"] == [None, "5"]
    every_form = ["song", "musical_drama", "stage", "narration", "other"]
    assert entry.details["allowed_video_forms"] == [every_form, ["song", "narration"]]
    bad = client.post(
        in_contest(world.contest, "/judging/settings"),
        data={
            "csrf_token": token,
            "max_videos_per_unit": "hai",
            "video_max_megabytes": "500",
            "score_aggregation": "mean",
        },
    )
    assert bad.status_code == 200
    assert "Hãy nhập một số nguyên" in bad.get_data(as_text=True)


def test_abandoned_uploads_are_dropped_with_their_parts(app, client, world, samples, frozen_clock):
    from contest.scheduler import build_scheduler, drop_abandoned_video_uploads

    api = login(client, world.admin)
    body = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).get_json()
    send_parts(api, body, samples["mp4"].read_bytes(), [1])
    video = db.session.get(Video, body["video_id"])
    key, upload_id = video.storage_key, video.upload_id
    assert list(current_storage().iter_parts(key, upload_id))
    frozen_clock.advance(days=1)
    assert drop_abandoned_video_uploads(app) == 0
    frozen_clock.advance(days=2)
    assert drop_abandoned_video_uploads(app) == 1
    assert db.session.get(Video, body["video_id"]) is None
    with pytest.raises(UploadNotFound):
        list(current_storage().iter_parts(key, upload_id))
    jobs = {job.id for job in build_scheduler(app, blocking=False).get_jobs()}
    assert {"process_waiting_videos", "drop_abandoned_video_uploads"} <= jobs


def test_a_range_is_served_by_seeking_even_under_a_server_file_wrapper(client, world, samples):
    """gunicorn's wsgi.file_wrapper cannot seek: a range must not go through it."""

    class UnseekableWrapper:
        def __init__(self, filelike, blksize=8192):
            raise AssertionError("a range request went through the server's file wrapper")

    api = login(client, world.admin)
    video_id = upload(api, world.contest, samples["mp4"])["video_id"]
    data = samples["mp4"].read_bytes()
    end = fetch(
        client,
        in_contest(world.contest, f"/videos/{video_id}/media"),
        headers={"Range": f"bytes={len(data) - 100}-"},
        environ_overrides={"wsgi.file_wrapper": UnseekableWrapper},
    )
    assert end.status_code == 206
    assert end.data == data[-100:]
    # A resumed download of the original goes the same way.
    login(client, world.organizer)
    resumed = fetch(
        client,
        in_contest(world.contest, f"/videos/{video_id}/original"),
        headers={"Range": f"bytes={len(data) - 10}-"},
        environ_overrides={"wsgi.file_wrapper": UnseekableWrapper},
    )
    assert resumed.status_code == 206
    assert resumed.data == data[-10:]


def test_the_place_a_video_was_shot_is_never_served(client, world, samples, tmp_path):
    from contest import media

    api = login(client, world.admin)
    video = db.session.get(Video, upload(api, world.contest, samples["located_mp4"])["video_id"])
    assert video.state is VideoState.READY
    assert video.transcoded
    assert video.playback_key != video.storage_key
    served = tmp_path / "served.mp4"
    served.write_bytes(fetch(client, in_contest(world.contest, f"/videos/{video.id}/media")).data)
    info = media.probe(served)
    assert not info.has_location
    assert info.video_codec == "h264"
    assert media.probe(samples["located_mp4"]).has_location


def test_organizers_download_the_original_under_its_vietnamese_name(client, world, samples):
    api = login(client, world.admin)
    video_id = upload(api, world.contest, samples["mp4"], filename="Phóng sự Đoàn xã.mp4")[
        "video_id"
    ]
    assert client.get(in_contest(world.contest, f"/videos/{video_id}/original")).status_code == 403
    login(client, world.organizer)
    response = fetch(client, in_contest(world.contest, f"/videos/{video_id}/original"))
    assert response.status_code == 200
    assert response.data == samples["mp4"].read_bytes()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''Ph%C3%B3ng%20s%E1%BB%B1%20%C4%90o%C3%A0n%20x%C3%A3.mp4" in disposition
    assert client.get(in_contest(world.contest, "/videos/987654/original")).status_code == 404


def test_a_unit_admin_corrects_the_details_inside_the_window(client, world, samples, frozen_clock):
    api = login(client, world.admin)
    video_id = upload(api, world.contest, samples["mp4"])["video_id"]
    path = in_contest(world.contest, f"/videos/{video_id}")
    fields = {"title": "Tên mới: Một cửa", "description": "", "form": "stage"}
    response = client.post(
        f"{path}/details", data={"csrf_token": form_token(client, path), **fields}
    )
    assert response.status_code == 302
    video = db.session.get(Video, video_id)
    assert (video.title, video.description, video.form.value) == ("Tên mới: Một cửa", None, "stage")
    page = client.get(path).get_data(as_text=True)
    assert '<option selected value="stage">' in page
    token = form_token(client, path)
    client.post(f"{path}/details", data={"csrf_token": token, "title": "", "form": "song"})
    client.post(f"{path}/details", data={"csrf_token": token, "title": "X", "form": "karaoke"})
    assert db.session.get(Video, video_id).title == "Tên mới: Một cửa"
    login(client, world.other_admin)
    forged = client.post(
        f"{path}/details",
        data={"csrf_token": form_token(client, in_contest(world.contest, "/videos/")), **fields},
    )
    assert forged.status_code == 403
    login(client, world.admin)
    token = form_token(client, path)
    frozen_clock.now = world.contest.video_closes_at
    late = client.post(f"{path}/details", data={"csrf_token": token, **fields, "title": "Muộn"})
    assert late.status_code == 302
    assert db.session.get(Video, video_id).title == "Tên mới: Một cửa"


def test_a_video_withdrawn_while_it_is_processed_stays_withdrawn(
    client, world, samples, monkeypatch
):
    from sqlalchemy import update

    from contest import media

    real_thumbnail = media.make_thumbnail

    def withdrawn_meanwhile(*args, **kwargs):
        # Another request withdraws the video (and deletes its file) while ffmpeg works.
        db.session.execute(
            update(Video)
            .where(Video.state == VideoState.PROCESSING)
            .values(state=VideoState.WITHDRAWN)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        real_thumbnail(*args, **kwargs)

    monkeypatch.setattr(media, "make_thumbnail", withdrawn_meanwhile)
    api = login(client, world.admin)
    video_id = upload(api, world.contest, samples["avi_mpeg4"])["video_id"]
    db.session.expire_all()
    video = db.session.get(Video, video_id)
    assert video.state is VideoState.WITHDRAWN
    base = video.storage_key.rsplit("/", 1)[0]
    assert current_storage().size(f"{base}/thumbnail.jpg") is None
    assert current_storage().size(f"{base}/playback.mp4") is None


def test_an_extended_video_deadline_applies_at_once_and_is_logged(
    client, world, samples, frozen_clock
):
    new_close = world.contest.video_closes_at + timedelta(days=7)
    local = new_close.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%dT%H:%M")
    login(client, world.organizer)

    def windows(**changes):
        page = client.get(in_contest(world.contest, "/organizer/windows")).get_data(as_text=True)
        fields = dict(re.findall(r'name="(\w+_at)"[^>]*value="([^"]*)"', page))
        data = {
            "csrf_token": form_token(client, in_contest(world.contest, "/organizer/windows")),
            **fields,
            **changes,
        }
        return client.post(in_contest(world.contest, "/organizer/windows"), data=data)

    windows(video_closes_at="2020-01-01T00:00")  # before it opens: refused
    assert db.session.query(AuditEntry).count() == 0
    assert windows(video_closes_at=local).status_code == 302
    assert world.contest.video_closes_at == new_close.replace(second=0, microsecond=0)
    entry = db.session.query(AuditEntry).one()
    assert entry.action == "windows_changed"
    assert list(entry.details) == ["video_closes_at"]
    frozen_clock.now = new_close - timedelta(days=1)  # after the old deadline
    api = login(client, world.admin)
    assert (
        api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).status_code
        == 201
    )


def test_media_and_thumbnails_are_neither_sniffed_nor_stored(client, world, ready_video):
    login(client, world.organizer)
    media = in_contest(world.contest, f"/videos/{ready_video}")
    for path, headers in (
        (f"{media}/media", {}),
        (f"{media}/media", {"Range": "bytes=0-99"}),
        (f"{media}/thumbnail", {}),
    ):
        response = fetch(client, path, headers=headers)
        assert response.status_code in (200, 206)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_a_video_has_one_replacement_on_its_way_at_a_time(client, world, samples):
    api = login(client, world.admin)
    first = upload(api, world.contest, samples["mp4"], title="Một")
    upload(api, world.contest, samples["webm"], title="Hai")
    again = details(samples["mp4"], title="Một (bản mới)", replaces_id=first["video_id"])
    assert api.post(in_contest(world.contest, UPLOADS), json=again).status_code == 201
    second = api.post(in_contest(world.contest, UPLOADS), json=again)
    assert second.status_code == 409
    assert second.get_json()["error"] == "video_limit_reached"
    assert "bản thay thế" in second.get_json()["message"]


def test_a_replacement_whose_video_left_the_contest_takes_a_place(client, world, samples):
    api = login(client, world.admin)
    first = upload(api, world.contest, samples["mp4"], title="Một")
    upload(api, world.contest, samples["webm"], title="Hai")
    again = details(samples["mp4"], title="Một (bản mới)", replaces_id=first["video_id"])
    assert api.post(in_contest(world.contest, UPLOADS), json=again).status_code == 201
    db.session.get(Video, first["video_id"]).state = VideoState.REJECTED
    db.session.commit()
    third = api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"], title="Ba"))
    assert third.status_code == 409
    assert third.get_json()["error"] == "video_limit_reached"


def test_completing_counts_the_received_videos_again(client, world, samples):
    """A limit lowered after two starts lets one of them finish, not both."""
    api = login(client, world.admin)
    data = samples["mp4"].read_bytes()
    started = [
        api.post(in_contest(world.contest, UPLOADS), json=details(samples["mp4"])).get_json()
        for _ in range(2)
    ]
    for body in started:
        send_parts(api, body, data)
    world.contest.max_videos_per_unit = 1
    db.session.commit()
    assert api.post(f"{UPLOADS}/{started[0]['video_id']}/complete").status_code == 200
    refused = api.post(f"{UPLOADS}/{started[1]['video_id']}/complete")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "video_limit_reached"
    assert db.session.get(Video, started[1]["video_id"]).state is VideoState.UPLOADING
    assert api.delete(f"{UPLOADS}/{started[1]['video_id']}").status_code == 204
