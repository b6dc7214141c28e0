"""Racing uploads never beat the unit's video limit, on SQLite and on PostgreSQL.

Each test builds an app of its own on a fresh database (SQLite file; PostgreSQL when
TEST_DATABASE_URL is set), so the requests commit for real on separate connections, as under
gunicorn: the suite's patched session would serialise them.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Role, Video, VideoState
from contest.storage import current_storage
from contest.videos import services as videos
from tests.apps import own_app, postgres_database
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import in_contest, logged_in_clients, make_contest, make_unit, make_user, race

RACERS = 30
BODY = {"title": "Phim tuyên truyền", "form": "song", "filename": "phim.mp4", "size": 5}


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def racing_app(request, tmp_path) -> Iterator[Flask]:
    """A migrated app of the test's own with a unit admin of an open video window (limit 2)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'races.db'}"
    else:  # marked postgres: skipped without TEST_DATABASE_URL (tests/conftest.py)
        url = request.getfixturevalue("race_database")
    with own_app(url, tmp_path, VIDEO_PROCESSING="scheduler", RATELIMIT_ENABLED=False) as app:
        upgrade()
        now = datetime.now(UTC)
        contest = make_contest(
            now,
            video_opens_at=now - timedelta(days=1),
            video_closes_at=now + timedelta(days=5),
            max_videos_per_unit=2,
        )
        app.racer_phone = make_user(Role.UNIT_ADMIN, unit=make_unit()).phone
        app.uploads = in_contest(contest, "/videos/uploads")
        db.session.commit()
        yield app


@pytest.fixture
def race_database() -> Iterator[str]:
    with postgres_database(TEST_DATABASE_URL, prefix="upload_races") as url:
        yield url


def live_videos() -> int:
    db.session.expire_all()
    query = select(func.count(Video.id)).where(Video.state.in_(videos.COUNTED_STATES))
    return db.session.scalar(query)


def test_racing_starts_open_exactly_the_units_places(racing_app):
    clients = logged_in_clients(racing_app, racing_app.racer_phone, RACERS)
    responses = race([lambda c=client: c.post(racing_app.uploads, json=BODY) for client in clients])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 2 + [409] * (RACERS - 2)
    for refused in responses:
        if refused.status_code == 409:
            assert refused.get_json()["error"] == "video_limit_reached"
            assert "2 video" in refused.get_json()["message"]  # Vietnamese by default
    assert live_videos() == 2


def test_racing_completions_receive_no_more_than_the_limit(racing_app):
    """Surplus uploads (opened before the limit was enforced here): two of them complete."""
    clients = logged_in_clients(racing_app, racing_app.racer_phone, 6)
    started = [client.post(racing_app.uploads, json=BODY).get_json() for client in clients[:2]]
    storage = current_storage()
    first = db.session.get(Video, started[0]["video_id"])
    for _ in range(4):  # what the race used to leave behind
        surplus = Video(
            **{
                column: getattr(first, column)
                for column in ("contest_id", "unit_id", "title", "form", "original_filename")
            },
            size_bytes=5,
            part_size=first.part_size,
            storage_key=f"{first.storage_key}-{len(started)}",
            state=VideoState.UPLOADING,
        )
        surplus.upload_id = storage.start_upload(surplus.storage_key, "video/mp4")
        db.session.add(surplus)
        db.session.commit()
        started.append({"video_id": surplus.id})
    for body, client in zip(started, clients, strict=True):
        sent = client.client.put(
            f"/api/v1/videos/uploads/{body['video_id']}/parts/1",
            data=b"12345",
            headers={"X-CSRFToken": client.csrf_token},
        )
        assert sent.status_code == 200, sent.get_json()
    responses = race(
        [
            lambda c=client, b=body: c.post(f"/videos/uploads/{b['video_id']}/complete")
            for body, client in zip(started, clients, strict=True)
        ]
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 2 + [409] * 4
    assert {r.get_json()["error"] for r in responses if r.status_code == 409} == {
        "video_limit_reached"
    }
    db.session.expire_all()
    received = db.session.scalar(
        select(func.count(Video.id)).where(Video.state == VideoState.RECEIVED)
    )
    assert received == 2
