"""Blind judging: a judge learns the unit from nothing on the pages they see."""

from contest.extensions import db
from contest.storage import current_storage
from tests.helpers import in_contest
from tests.test_judging import World, login


def _blind_world() -> World:
    world = World()
    video, unit = world.video_b, world.unit_b
    video.original_filename = f"{unit.name} - clip dự thi.mp4"
    video.title = f"Cải cách hành chính tại {unit.name.upper()}"
    video.description = f"Phim của {unit.name}\nMã đơn vị {unit.code.lower()}, năm 2021."
    world.contest.judging_blind = True
    db.session.commit()
    return world


def _pages(client, video) -> dict[str, str]:
    return {
        path: client.get(path).get_data(as_text=True)
        for path in (
            in_contest(video.contest, "/judging/"),
            in_contest(video.contest, f"/judging/videos/{video.id}"),
            in_contest(video.contest, f"/videos/{video.id}"),
        )
    }


def test_a_blind_judge_sees_neither_the_file_name_nor_the_unit_in_title_or_description(
    client, db_session
):
    world = _blind_world()
    video, unit = world.video_b, world.unit_b
    login(client, world.judge)
    for path, page in _pages(client, video).items():
        assert unit.name not in page, path
        assert unit.name.upper() not in page, path
        assert "clip dự thi.mp4" not in page, path
        assert unit.code.lower() not in page, path
    sheet = client.get(in_contest(video.contest, f"/judging/videos/{video.id}")).get_data(
        as_text=True
    )
    assert "Cải cách hành chính tại •••" in sheet
    assert "Mã đơn vị •••, năm 2021." in sheet


def test_the_media_a_blind_judge_plays_names_no_file(client, db_session, app):
    world = _blind_world()
    with app.test_request_context():
        path = current_storage().local_path(world.video_b.playback_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * 100)
    login(client, world.judge)
    response = client.get(in_contest(world.contest, f"/videos/{world.video_b.id}/media"))
    response.close()
    assert response.status_code == 200
    headers = str(response.headers)  # Content-Disposition, if any, names the stored object
    assert "clip" not in headers
    assert world.unit_b.name not in headers


def test_organizers_and_judges_of_an_open_panel_still_see_everything(client, db_session):
    world = _blind_world()
    video, unit = world.video_b, world.unit_b
    login(client, world.organizer)
    page = client.get(in_contest(video.contest, f"/videos/{video.id}")).get_data(as_text=True)
    assert "clip dự thi.mp4" in page
    assert unit.name.upper() in page
    world.contest.judging_blind = False
    db.session.commit()
    login(client, world.judge)
    page = client.get(in_contest(video.contest, f"/videos/{video.id}")).get_data(as_text=True)
    assert "clip dự thi.mp4" in page
    assert unit.name in page
