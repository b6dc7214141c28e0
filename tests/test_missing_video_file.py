"""A video whose stored file is gone answers 404, never 500, and the organizers are told."""

from contest.extensions import db
from contest.models import AuditEntry
from contest.storage import current_storage
from tests.helpers import in_contest
from tests.test_judging import World, login


def test_a_missing_file_is_a_404_flagged_once_on_the_organizers_overview(client, db_session, app):
    world = World()
    video = world.video_b
    video.thumbnail_key = f"{video.storage_key.rsplit('/', 1)[0]}/thumbnail.jpg"
    db.session.commit()
    login(client, world.organizer)
    for _ in range(2):
        assert client.get(in_contest(video.contest, f"/videos/{video.id}/media")).status_code == 404
    assert client.get(in_contest(video.contest, f"/videos/{video.id}/original")).status_code == 404
    assert client.get(in_contest(video.contest, f"/videos/{video.id}/thumbnail")).status_code == 404
    db.session.refresh(video)
    assert video.failure_code == "file_missing"
    entries = db.session.query(AuditEntry).filter_by(action="video_file_missing").all()
    assert len(entries) == 1
    assert entries[0].target == f"video:{video.id}"
    overview = client.get(in_contest(video.contest, "/videos/all")).get_data(as_text=True)
    assert 'data-failure="file_missing"' in overview
    assert "Tệp video đã lưu không còn" in overview
    assert "Tệp video đã lưu của một video bị mất" in client.get(
        in_contest(video.contest, "/organizer/audit")
    ).get_data(as_text=True)

    with app.test_request_context():
        path = current_storage().local_path(video.playback_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * 64)
    response = client.get(in_contest(video.contest, f"/videos/{video.id}/media"))
    response.close()
    assert response.status_code == 200
    db.session.refresh(video)
    assert video.failure_code is None
    assert db.session.query(AuditEntry).filter_by(action="video_file_restored").count() == 1


def test_a_judge_gets_a_404_too(client, db_session):
    world = World()
    login(client, world.judge)
    assert (
        client.get(in_contest(world.contest, f"/videos/{world.video_b.id}/media")).status_code
        == 404
    )
