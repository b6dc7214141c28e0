"""pytest plugin: an in-process moto S3 server for the storage tests (no Docker, no network).

`s3_endpoint` (session) starts moto's server mode on 127.0.0.1 and yields its URL, with fake
credentials in the environment for the whole session (restored afterwards); `s3_storage`
yields an S3Storage on a fresh bucket of its own, emptied and removed afterwards.
"""

import os
import socket
import uuid

import pytest
from moto.server import ThreadedMotoServer

from contest.storage import S3Storage

# The environment of the session: fake credentials, and nothing from the developer's own
# AWS set-up (profiles, config files, tokens, instance metadata) may leak in.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
_CLEARED = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")
_CLEARED += ("AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of a moto S3 server running in this process for the whole session."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        for name in _CLEARED:
            patch.delenv(name, raising=False)
        port = _free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()
            # stop() shuts the serving loop down but leaves the listening socket open.
            if server._server is not None:
                server._server.server_close()


@pytest.fixture(scope="session")
def _s3_client(s3_endpoint):
    """One client for the session: building a botocore client takes a noticeable moment."""
    with S3Storage("unused", endpoint_url=s3_endpoint) as storage:
        yield storage.client


@pytest.fixture
def s3_storage(_s3_client):
    """An S3Storage on a bucket of its own, removed with everything in it afterwards.

    It shares the session's client: do not close it.
    """
    storage = S3Storage(f"test-{uuid.uuid4().hex[:20]}", client=_s3_client)
    storage.ensure_bucket()
    yield storage
    _remove_bucket(storage)


def _remove_bucket(storage: S3Storage) -> None:
    client, bucket = storage.client, storage.bucket
    for upload in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)
