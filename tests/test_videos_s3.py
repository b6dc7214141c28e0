"""The whole video path on S3 (moto's server on 127.0.0.1): the browser's parts go straight to
the bucket through presigned URLs, the app completes, processes and serves by redirect."""

import struct

import pytest
import requests

from contest.extensions import db
from contest.models import Video, VideoState
from tests.helpers import form_token, in_contest
from tests.media_samples import make_sample
from tests.test_videos import World, details, login

MIB = 1024 * 1024


@pytest.fixture
def on_s3(app, s3_storage):
    """The app stores videos in a fresh bucket for this test, in 5 MiB parts (S3's minimum)."""
    previous_storage = app.extensions.get("storage")
    previous_part_size = app.config["VIDEO_PART_SIZE"]
    app.extensions["storage"] = s3_storage
    app.config["VIDEO_PART_SIZE"] = 5 * MIB
    yield s3_storage
    app.extensions["storage"] = previous_storage
    app.config["VIDEO_PART_SIZE"] = previous_part_size


@pytest.fixture
def padded_mp4(tmp_path):
    """A real MP4 followed by a 5.5 MiB `free` box (players skip it): two S3 parts."""
    sample = make_sample(tmp_path, "mp4")
    padding = int(5.5 * MIB)
    with sample.open("ab") as out:
        out.write(struct.pack(">I4s", padding, b"free") + b"\0" * (padding - 8))
    return sample


def test_parts_go_straight_to_the_bucket_and_playback_redirects(
    app, client, db_session, on_s3, padded_mp4
):
    world = World(app)
    api = login(client, world.admin)
    data = padded_mp4.read_bytes()
    started = api.post(
        in_contest(world.contest, "/videos/uploads"),
        json=details(padded_mp4, filename="Phim Đoàn.mp4"),
    )
    upload = started.get_json()
    assert started.status_code == 201
    assert upload["direct"] is True
    assert upload["part_count"] == 2
    # The app refuses to carry bytes when the bucket takes them.
    through_app = api.client.put(
        f"/api/v1/videos/uploads/{upload['video_id']}/parts/1",
        data=b"x",
        headers={"X-CSRFToken": api.csrf_token},
    )
    assert through_app.status_code == 409
    # Part 2 first, from outside the app, as a browser would.
    for number in (2, 1):
        signed = api.post(f"/videos/uploads/{upload['video_id']}/parts/{number}/url").get_json()
        assert signed["url"].startswith("http://127.0.0.1:")
        chunk = data[(number - 1) * upload["part_size"] : number * upload["part_size"]]
        sent = requests.put(signed["url"], data=chunk, timeout=30)
        assert sent.status_code == 200
        if number == 2:
            state = api.get(f"/videos/uploads/{upload['video_id']}").get_json()
            assert [part["number"] for part in state["parts"]] == [2]
    done = api.post(f"/videos/uploads/{upload['video_id']}/complete").get_json()
    assert done["state"] == "ready"

    video = db.session.get(Video, upload["video_id"])
    assert video.video_codec == "h264"
    assert on_s3.size(video.storage_key) == len(data)
    assert on_s3.size(video.thumbnail_key) > 0
    assert on_s3.local_path(video.storage_key) is None

    redirect = client.get(in_contest(world.contest, f"/videos/{video.id}/media"))
    assert redirect.status_code == 302
    ranged = requests.get(
        redirect.headers["Location"], headers={"Range": "bytes=1000-1999"}, timeout=30
    )
    assert ranged.status_code == 206
    assert ranged.content == data[1000:2000]
    thumbnail = client.get(in_contest(world.contest, f"/videos/{video.id}/thumbnail"))
    assert thumbnail.status_code == 302
    assert requests.get(thumbnail.headers["Location"], timeout=30).content[:2] == b"\xff\xd8"

    login(client, world.organizer)
    original = client.get(in_contest(world.contest, f"/videos/{video.id}/original"))
    assert original.status_code == 302
    downloaded = requests.get(original.headers["Location"], timeout=30)
    assert downloaded.content == data
    assert "UTF-8''Phim%20%C4%90o%C3%A0n.mp4" in downloaded.headers["Content-Disposition"]
    login(client, world.admin)
    token = form_token(client, in_contest(world.contest, f"/videos/{video.id}"))
    client.post(
        in_contest(world.contest, f"/videos/{video.id}/withdraw"), data={"csrf_token": token}
    )
    assert video.state is VideoState.WITHDRAWN
    assert on_s3.size(video.storage_key) is None
    assert on_s3.size(video.thumbnail_key) is None


def test_a_cancelled_direct_upload_leaves_no_parts(app, client, db_session, on_s3, padded_mp4):
    world = World(app)
    api = login(client, world.admin)
    upload = api.post(
        in_contest(world.contest, "/videos/uploads"), json=details(padded_mp4)
    ).get_json()
    signed = api.post(f"/videos/uploads/{upload['video_id']}/parts/1/url").get_json()
    requests.put(signed["url"], data=padded_mp4.read_bytes()[: 5 * MIB], timeout=30)
    video = db.session.get(Video, upload["video_id"])
    key, upload_id = video.storage_key, video.upload_id
    assert api.delete(f"/videos/uploads/{upload['video_id']}").status_code == 204
    uploads = on_s3.client.list_multipart_uploads(Bucket=on_s3.bucket).get("Uploads", [])
    assert all(item["UploadId"] != upload_id for item in uploads)
    assert on_s3.size(key) is None
