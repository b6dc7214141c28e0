"""contest.storage: the same behaviour from the local directory and from S3 (moto's server)."""

import errno
import hashlib
import io
import os
import secrets
import urllib.parse

import pytest
import requests
from botocore.stub import Stubber
from flask import Flask

from contest import storage as storage_module
from contest.storage import (
    CHUNK,
    IncompleteUpload,
    LocalStorage,
    ObjectNotFound,
    PartTooLarge,
    S3Storage,
    Storage,
    StorageError,
    StoredPart,
    UploadNotFound,
    content_disposition,
    current_storage,
    storage_from_config,
)

MIB = 1024 * 1024
MIN_PART = 5 * MIB  # S3's smallest part but the last, kept for both backends alike
KEY = "videos/12/3f2a9c/original"
VIETNAMESE_NAME = "Video tuyên truyền Đoàn.mp4"


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    return request.getfixturevalue("s3_storage")


def write(storage: Storage, upload_id: str, number: int, data: bytes, key: str = KEY):
    return storage.write_part(key, upload_id, number, io.BytesIO(data), max_bytes=MIN_PART)


# --- both backends


def test_multipart_upload_lifecycle(storage, tmp_path):
    first = os.urandom(MIN_PART)
    tail = b"the last part, sent again"
    upload_id = storage.start_upload(KEY, "video/mp4")

    # Out of order, and part 2 twice: the second one replaces the first.
    assert write(storage, upload_id, 2, b"a tail that will be replaced").number == 2
    assert write(storage, upload_id, 1, first) == StoredPart(1, MIN_PART, md5(first))
    assert write(storage, upload_id, 2, tail) == StoredPart(2, len(tail), md5(tail))
    expected_parts = [StoredPart(1, MIN_PART, md5(first)), StoredPart(2, len(tail), md5(tail))]
    assert list(storage.iter_parts(KEY, upload_id)) == expected_parts
    total = MIN_PART + len(tail)

    with pytest.raises(IncompleteUpload):
        storage.complete_upload(KEY, upload_id, part_count=2, total_size=total + 1)
    with pytest.raises(IncompleteUpload, match="missing: 3"):
        storage.complete_upload(KEY, upload_id, part_count=3, total_size=total + 10)
    assert list(storage.iter_parts(KEY, upload_id)) == expected_parts  # nothing lost
    assert storage.size(KEY) is None

    storage.complete_upload(KEY, upload_id, part_count=2, total_size=total)

    assert storage.size(KEY) == total
    assert storage.read_head(KEY, 16) == first[:16]
    assert storage.read_head(KEY, total + 100) == first + tail
    target = tmp_path / "downloaded.mp4"
    storage.download_to(KEY, target)
    assert target.read_bytes() == first + tail
    # The upload is finished: its id is gone.
    with pytest.raises(UploadNotFound):
        storage.iter_parts(KEY, upload_id)
    with pytest.raises(UploadNotFound):
        storage.complete_upload(KEY, upload_id, part_count=2, total_size=total)
    storage.abort_upload(KEY, upload_id)  # nothing to drop, no error
    assert storage.size(KEY) == total

    storage.delete(KEY)
    assert storage.size(KEY) is None
    storage.delete(KEY)  # missing is fine


def test_abort_drops_the_parts_and_is_idempotent(storage):
    upload_id = storage.start_upload(KEY, "video/mp4")
    write(storage, upload_id, 1, b"some bytes")

    storage.abort_upload(KEY, upload_id)
    storage.abort_upload(KEY, upload_id)

    with pytest.raises(UploadNotFound):
        storage.iter_parts(KEY, upload_id)
    with pytest.raises(UploadNotFound):
        storage.complete_upload(KEY, upload_id, part_count=1, total_size=10)
    assert storage.size(KEY) is None


def test_unknown_upload_id(storage):
    unknown = secrets.token_hex(16)
    with pytest.raises(UploadNotFound):
        storage.iter_parts(KEY, unknown)
    with pytest.raises(UploadNotFound):
        storage.complete_upload(KEY, unknown, part_count=1, total_size=1)
    storage.abort_upload(KEY, unknown)
    # write_part to an unknown id: moto answers 500 instead of NoSuchUpload (see the stub test).
    if isinstance(storage, LocalStorage):
        with pytest.raises(UploadNotFound):
            write(storage, unknown, 1, b"x")


def test_part_too_large_is_discarded(storage):
    upload_id = storage.start_upload(KEY, "video/mp4")
    write(storage, upload_id, 1, b"kept")

    with pytest.raises(PartTooLarge):
        storage.write_part(KEY, upload_id, 2, io.BytesIO(b"x" * 101), max_bytes=100)
    with pytest.raises(PartTooLarge):  # a replacement that is too large keeps the old part
        storage.write_part(KEY, upload_id, 1, io.BytesIO(b"y" * (CHUNK + 1)), max_bytes=CHUNK)

    assert list(storage.iter_parts(KEY, upload_id)) == [StoredPart(1, 4, md5(b"kept"))]
    exact = storage.write_part(KEY, upload_id, 2, io.BytesIO(b"z" * 100), max_bytes=100)
    assert exact.size == 100


def test_part_numbers_are_checked(storage):
    upload_id = storage.start_upload(KEY, "video/mp4")
    for number in (0, 10_001):
        with pytest.raises(ValueError, match="part number"):
            write(storage, upload_id, number, b"x")
    with pytest.raises(ValueError, match="part count"):
        storage.complete_upload(KEY, upload_id, part_count=0, total_size=0)


def test_put_file_and_small_objects(storage, tmp_path):
    source = tmp_path / "poster.jpg"
    source.write_bytes(b"\xff\xd8\xff" + b"jpeg" * 1000)
    storage.put_file("posters/12/p.jpg", source, "image/jpeg")

    assert storage.size("posters/12/p.jpg") == source.stat().st_size
    assert storage.read_head("posters/12/p.jpg", 3) == b"\xff\xd8\xff"
    assert storage.read_head("posters/12/p.jpg", 0) == b""

    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    storage.put_file("misc/empty", empty, "application/octet-stream")
    assert storage.size("misc/empty") == 0
    assert storage.read_head("misc/empty", 10) == b""


def test_missing_objects(storage, tmp_path):
    assert storage.size("videos/404/none") is None
    with pytest.raises(ObjectNotFound):
        storage.read_head("videos/404/none", 10)
    with pytest.raises(ObjectNotFound):
        storage.download_to("videos/404/none", tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a\\b", "a\x00b", "a//b", ".uploads/x", ""])
def test_unsafe_keys_are_refused(storage, key):
    with pytest.raises(ValueError, match="key"):
        storage.size(key)
    with pytest.raises(ValueError, match="key"):
        storage.start_upload(key, "video/mp4")


# --- local directory


def test_local_layout_and_serving(tmp_path):
    storage = LocalStorage(tmp_path)
    upload_id = storage.start_upload(KEY, "video/mp4")
    assert len(upload_id) == 32
    write(storage, upload_id, 1, b"abc")
    upload_dir = tmp_path / ".uploads" / upload_id
    assert (upload_dir / "00001.part").read_bytes() == b"abc"

    storage.complete_upload(KEY, upload_id, part_count=1, total_size=3)

    assert not upload_dir.exists()
    assert storage.local_path(KEY) == tmp_path / "videos" / "12" / "3f2a9c" / "original"
    assert storage.local_path(KEY).read_bytes() == b"abc"
    assert storage.presign_get(KEY, 60, VIETNAMESE_NAME) is None
    assert storage.direct_upload is False
    with pytest.raises(NotImplementedError):
        storage.presign_part(KEY, upload_id, 1, 60)
    storage.delete(KEY)
    assert list(tmp_path.iterdir()) == [tmp_path / ".uploads"]  # empty directories pruned


def test_local_part_too_large_leaves_nothing(tmp_path):
    storage = LocalStorage(tmp_path)
    upload_id = storage.start_upload(KEY, "video/mp4")
    with pytest.raises(PartTooLarge):
        storage.write_part(KEY, upload_id, 1, io.BytesIO(b"x" * (3 * CHUNK)), max_bytes=CHUNK)
    assert sorted(p.name for p in (tmp_path / ".uploads" / upload_id).iterdir()) == ["upload.json"]


class TrickleBody(io.RawIOBase):
    """A slow client: at most 7 bytes per read, and a limit on what may be read at all."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert 0 < size <= CHUNK, "reads are bounded"
        chunk = self.data[self.position : self.position + min(size, 7)]
        self.position += len(chunk)
        return chunk


def test_local_short_reads_and_reading_no_more_than_needed(tmp_path):
    storage = LocalStorage(tmp_path)
    upload_id = storage.start_upload(KEY, "video/mp4")
    body = TrickleBody(b"0123456789" * 10)
    assert storage.write_part(KEY, upload_id, 1, body, max_bytes=1000).size == 100

    body = TrickleBody(b"x" * 1000)
    with pytest.raises(PartTooLarge):
        storage.write_part(KEY, upload_id, 2, body, max_bytes=50)
    assert body.position == 51  # stopped one byte past the limit


def test_local_forged_upload_ids(tmp_path):
    storage = LocalStorage(tmp_path / "media")
    real = storage.start_upload(KEY, "video/mp4")
    for forged in (
        "../../etc",
        "abc",
        real.upper(),
        real + "0",
        "../" + real[3:],
        real[:31] + "\n",
    ):
        with pytest.raises(UploadNotFound):
            storage.iter_parts(KEY, forged)
        with pytest.raises(UploadNotFound):
            write(storage, forged, 1, b"x")
        with pytest.raises(UploadNotFound):
            storage.complete_upload(KEY, forged, part_count=1, total_size=1)
        storage.abort_upload(KEY, forged)
    # An upload belongs to its key, as on S3.
    with pytest.raises(UploadNotFound):
        write(storage, real, 1, b"x", key="videos/13/other/original")
    assert list(storage.iter_parts(KEY, real)) == []


def test_local_complete_ignores_temp_files_and_recomputes_stale_etags(tmp_path):
    storage = LocalStorage(tmp_path)
    upload_id = storage.start_upload(KEY, "video/mp4")
    write(storage, upload_id, 1, b"hello")
    upload_dir = tmp_path / ".uploads" / upload_id
    (upload_dir / ".half-written.tmp").write_bytes(b"garbage")
    (upload_dir / "00001.etag").write_text("99 stale")

    assert list(storage.iter_parts(KEY, upload_id)) == [StoredPart(1, 5, md5(b"hello"))]
    storage.complete_upload(KEY, upload_id, part_count=1, total_size=5)
    assert storage.read_head(KEY, 100) == b"hello"
    assert [p.name for p in storage.local_path(KEY).parent.iterdir()] == ["original"]


def test_storage_from_config(tmp_path):
    local = storage_from_config({"MEDIA_DIR": str(tmp_path / "m")}, str(tmp_path))
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path / "m"
    default = storage_from_config({"S3_BUCKET": "", "S3_ENDPOINT_URL": ""}, str(tmp_path))
    assert isinstance(default, LocalStorage)
    assert default.root == tmp_path / "media"

    config = {
        "S3_BUCKET": "contest-videos",
        "S3_ENDPOINT_URL": "http://minio.internal:9000",
        "S3_REGION": "ap-southeast-1",
    }
    with storage_from_config(config, str(tmp_path)) as s3:
        assert isinstance(s3, S3Storage)
        assert s3.direct_upload is True
        assert s3.bucket == "contest-videos"
        assert s3.client.meta.endpoint_url == "http://minio.internal:9000"
        assert s3.client.meta.region_name == "ap-southeast-1"
        assert s3.client.meta.config.s3["addressing_style"] == "path"
        assert s3.client.meta.config.signature_version == "s3v4"
    with storage_from_config({"S3_BUCKET": "b", "S3_REGION": "us-east-1"}, str(tmp_path)) as aws:
        assert not (aws.client.meta.config.s3 or {}).get("addressing_style")


def test_current_storage_is_made_once_per_app(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        first = current_storage()
        assert isinstance(first, LocalStorage)
        assert first.root == tmp_path / "instance" / "media"
        assert current_storage() is first
        assert app.extensions["storage"] is first


def test_content_disposition_keeps_vietnamese_names():
    value = content_disposition(VIETNAMESE_NAME)
    assert value.isascii()
    assert 'filename="Video tuyen truyen Doan.mp4"' in value
    encoded = value.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(encoded, encoding="utf-8") == VIETNAMESE_NAME
    assert "\r" not in content_disposition('evil"\r\nSet-Cookie: x.mp4')


def test_boto3_is_imported_by_storage_only():
    sources = (storage_module.__file__,)
    package = os.path.dirname(storage_module.__file__)
    offenders = []
    for directory, _dirs, files in os.walk(package):
        for name in files:
            path = os.path.join(directory, name)
            if name.endswith(".py") and path not in sources:
                with open(path, encoding="utf-8") as file:
                    text = file.read()
                if "import boto3" in text or "botocore" in text:
                    offenders.append(path)
    assert offenders == []


# --- S3


def test_s3_presigned_multipart_from_a_browser(s3_storage):
    storage = s3_storage
    upload_id = storage.start_upload(KEY, "video/mp4")
    digest = hashlib.sha256()

    first = os.urandom(MIN_PART)
    digest.update(first)
    window = first[100:200]
    response = requests.put(storage.presign_part(KEY, upload_id, 1, 600), data=first, timeout=30)
    assert response.status_code == 200, response.text
    del first
    last = os.urandom(1000)
    digest.update(last)
    response = requests.put(storage.presign_part(KEY, upload_id, 2, 600), data=last, timeout=30)
    assert response.status_code == 200, response.text
    total = MIN_PART + len(last)
    del last

    assert [(p.number, p.size) for p in storage.iter_parts(KEY, upload_id)] == [
        (1, MIN_PART),
        (2, 1000),
    ]
    storage.complete_upload(KEY, upload_id, part_count=2, total_size=total)
    assert storage.size(KEY) == total

    url = storage.presign_get(KEY, 600, content_type="video/mp4")
    response = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=30)
    assert response.status_code == 206
    assert response.content == window
    assert response.headers["Content-Type"] == "video/mp4"

    url = storage.presign_get(KEY, 600, download_name=VIETNAMESE_NAME)
    with requests.get(url, stream=True, timeout=30) as response:
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        received = hashlib.sha256()
        for chunk in response.iter_content(CHUNK):
            received.update(chunk)
    assert disposition.startswith("attachment;")
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(encoded, encoding="utf-8") == VIETNAMESE_NAME
    assert received.digest() == digest.digest()


def test_s3_list_parts_is_paginated(s3_storage):
    s3_storage.list_parts_page_size = 2
    upload_id = s3_storage.start_upload(KEY, "video/mp4")
    for number in (5, 3, 1, 2, 4):
        write(s3_storage, upload_id, number, b"p" * number)

    parts = list(s3_storage.iter_parts(KEY, upload_id))

    assert [(p.number, p.size) for p in parts] == [(n, n) for n in range(1, 6)]
    with pytest.raises(IncompleteUpload):
        s3_storage.complete_upload(KEY, upload_id, part_count=6, total_size=21)


def test_s3_bucket_cors_lets_the_app_origin_put_parts(s3_storage):
    origin = "https://thi.example.gov.vn"
    s3_storage.ensure_bucket(cors_origins=[origin])
    s3_storage.ensure_bucket(cors_origins=[origin])  # a second run changes nothing

    rules = s3_storage.client.get_bucket_cors(Bucket=s3_storage.bucket)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == [origin]
    assert sorted(rules[0]["AllowedMethods"]) == ["GET", "HEAD", "PUT"]
    assert rules[0]["ExposeHeaders"] == ["ETag"]
    preflight = requests.options(
        f"{s3_storage.client.meta.endpoint_url}/{s3_storage.bucket}/{KEY}",
        headers={"Origin": origin, "Access-Control-Request-Method": "PUT"},
        timeout=30,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]


def test_s3_presigned_part_url_needs_no_checksum_headers(s3_storage):
    upload_id = s3_storage.start_upload(KEY, "video/mp4")
    url = s3_storage.presign_part(KEY, upload_id, 7, 900)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["partNumber"] == ["7"]
    assert query["uploadId"] == [upload_id]
    assert query["X-Amz-Expires"] == ["900"]
    assert query["X-Amz-SignedHeaders"] == ["host"]
    assert not [name for name in query if "checksum" in name.lower()]


def test_s3_error_mapping_with_a_stubbed_client():
    """Answers moto does not give as S3 does: NoSuchUpload on UploadPart, a lost completion."""
    storage = S3Storage("contest-videos", endpoint_url="http://s3.invalid", region="us-east-1")
    with storage, Stubber(storage.client) as stub:
        stub.add_client_error("upload_part", "NoSuchUpload", http_status_code=404)
        with pytest.raises(UploadNotFound):
            write(storage, "gone", 1, b"x")

        stub.add_client_error("list_parts", "NoSuchUpload", http_status_code=404)
        with pytest.raises(UploadNotFound):
            storage.iter_parts(KEY, "other-key-s-upload")

        # A completion botocore retried after the first one succeeded: the object is there.
        part = {"PartNumber": 1, "Size": 3, "ETag": '"abc"'}
        stub.add_response("list_parts", {"Parts": [part], "IsTruncated": False})
        stub.add_client_error("complete_multipart_upload", "NoSuchUpload", http_status_code=404)
        stub.add_response("head_object", {"ContentLength": 3})
        storage.complete_upload(KEY, "done", part_count=1, total_size=3)

        stub.add_response("list_parts", {"Parts": [part], "IsTruncated": False})
        stub.add_client_error("complete_multipart_upload", "EntityTooSmall", http_status_code=400)
        with pytest.raises(StorageError) as raised:
            storage.complete_upload(KEY, "small", part_count=1, total_size=3)
        assert type(raised.value) is StorageError

        stub.add_client_error("head_object", "403", http_status_code=403)
        with pytest.raises(StorageError):
            storage.size(KEY)
        stub.assert_no_pending_responses()


def test_local_join_falls_back_when_the_kernel_copy_fails_half_way(tmp_path, monkeypatch):
    """copy_file_range may be refused between file systems, even after a first call worked."""
    storage = LocalStorage(tmp_path)
    parts = [os.urandom(3 * 1024 * 1024), os.urandom(1000)]
    upload_id = storage.start_upload("videos/1/a/original", "video/mp4")
    for number, data in enumerate(parts, 1):
        storage.write_part("videos/1/a/original", upload_id, number, io.BytesIO(data), len(data))
    real_copy = os.copy_file_range
    calls = []

    def flaky_copy(source, destination, count, *args):
        calls.append(count)
        if len(calls) == 2:
            raise OSError(errno.EXDEV, "cross-device")
        return real_copy(source, destination, min(count, 1024 * 1024), *args)

    monkeypatch.setattr(os, "copy_file_range", flaky_copy)
    storage.complete_upload("videos/1/a/original", upload_id, 2, sum(map(len, parts)))
    assert len(calls) >= 2
    assert storage.local_path("videos/1/a/original").read_bytes() == b"".join(parts)
