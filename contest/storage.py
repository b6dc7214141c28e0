"""Object storage for contest videos: a local directory or an S3-compatible bucket.

This is the only module of the app that imports boto3. Both backends share one interface,
chosen by configuration (`storage_from_config`, `current_storage`):

- `LocalStorage` keeps objects under a directory and receives multipart uploads through the app.
- `S3Storage` keeps them in a bucket (AWS, MinIO, Vietnamese S3-compatible clouds); browsers
  PUT parts straight to the bucket with presigned URLs (`direct_upload`).

Videos are up to ~1 GB, so nothing here reads a whole object or a whole part into memory:
bodies are streamed with `CHUNK`-sized buffers.

Errors: every failure of the backend is raised as `StorageError` (or a subclass); botocore's
exceptions never leave this module. Invalid arguments the app itself controls (keys, part
numbers) raise `ValueError`.
"""

from __future__ import annotations

import abc
import base64
import functools
import hashlib
import itertools
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import quote

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app

CHUNK = 1024 * 1024
MAX_PARTS = 10_000  # S3's limit, kept by both backends

_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
_PART_FILE = re.compile(r"([0-9]{5})\.part")
_UPLOAD_META = "upload.json"

T = TypeVar("T")


class StorageError(Exception):
    """The storage backend failed; the message is for logs, not for users."""


class PartTooLarge(StorageError):
    """A part body exceeded `max_bytes`; the partial part was discarded."""


class UploadNotFound(StorageError):
    """Unknown upload id (or one for another key), or an upload already completed or aborted."""


class IncompleteUpload(StorageError):
    """`complete_upload` found parts missing or sizes not adding up; nothing was lost."""


class ObjectNotFound(StorageError, FileNotFoundError):
    """`read_head` or `download_to` on a key that holds no object."""


@dataclass(frozen=True)
class StoredPart:
    number: int  # 1-based, as S3
    size: int
    etag: str  # md5 hex of the part, without quotes


def check_key(key: str) -> str:
    """Reject keys that could escape the storage root (defence in depth: the app makes keys).

    A key is '/'-separated names; none may be empty or start with '.', and the key may not
    contain '..', a backslash, a NUL or a control character. The same rule holds for both
    backends, so a key valid on one is valid on the other.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("empty storage key")
    if ".." in key or "\\" in key or key.startswith("/"):
        raise ValueError(f"unsafe storage key: {key!r}")
    if any(ord(char) < 32 or char == "\x7f" for char in key):
        raise ValueError(f"control character in storage key: {key!r}")
    if any(not name or name.startswith(".") for name in key.split("/")):
        raise ValueError(f"empty or hidden name in storage key: {key!r}")
    return key


def _check_part_number(number: int) -> None:
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_PARTS:
        raise ValueError(f"part number must be 1..{MAX_PARTS}, not {number!r}")


def _check_part_count(part_count: int) -> None:
    if isinstance(part_count, bool) or not isinstance(part_count, int):
        raise ValueError(f"part count must be an int, not {part_count!r}")
    if not 1 <= part_count <= MAX_PARTS:
        raise ValueError(f"part count must be 1..{MAX_PARTS}, not {part_count}")


def _check_parts(parts: Mapping[int, StoredPart], part_count: int, total_size: int) -> None:
    """IncompleteUpload unless parts 1..part_count are all there and their sizes sum up."""
    missing = [n for n in range(1, part_count + 1) if n not in parts]
    if missing:
        shown = ", ".join(map(str, missing[:20])) + (", ..." if len(missing) > 20 else "")
        raise IncompleteUpload(f"{len(missing)} of {part_count} parts missing: {shown}")
    stored = sum(parts[n].size for n in range(1, part_count + 1))
    if stored != total_size:
        raise IncompleteUpload(f"parts 1..{part_count} hold {stored} bytes, not {total_size}")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition value keeping a Unicode filename (RFC 6266 / RFC 5987).

    `filename=` carries an ASCII fallback (Vietnamese letters without their marks, Đ as D) for
    old clients; `filename*=UTF-8''...` carries the real name, percent-encoded, so the whole
    header is ASCII and Vietnamese names survive.
    """
    name = unicodedata.normalize("NFC", filename)
    name = "".join("_" if unicodedata.category(c)[0] == "C" or c in "/\\" else c for c in name)
    name = name.strip() or "download"
    fallback = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    fallback = "".join(c for c in fallback if c.isascii() and not unicodedata.combining(c))
    fallback = fallback.replace('"', "'").strip() or "download"
    encoded = quote(name, safe="!#$&+-.^_`|~")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


class Storage(abc.ABC):
    """Where contest videos live. Keys look like `videos/12/3f2a.../original`."""

    direct_upload: bool  # True: browsers PUT parts straight to the store (presign_part)

    @abc.abstractmethod
    def start_upload(self, key: str, content_type: str) -> str:
        """Begin a multipart upload; return its upload id."""

    @abc.abstractmethod
    def write_part(
        self, key: str, upload_id: str, number: int, body: BinaryIO, max_bytes: int
    ) -> StoredPart:
        """Store part `number` read from `body` (streamed); PartTooLarge beyond `max_bytes`.

        Sending a part again replaces it; parts may come in any order.
        """

    @abc.abstractmethod
    def presign_part(self, key: str, upload_id: str, number: int, expires_in: int) -> str:
        """A URL a browser may PUT part `number` to (direct_upload backends only)."""

    @abc.abstractmethod
    def iter_parts(self, key: str, upload_id: str) -> Iterator[StoredPart]:
        """Parts stored so far, in number order. UploadNotFound is raised by the call itself."""

    @abc.abstractmethod
    def complete_upload(self, key: str, upload_id: str, part_count: int, total_size: int) -> None:
        """Join parts 1..part_count into the object `key`.

        IncompleteUpload if a part is missing or the sizes do not sum to `total_size`; the
        upload is then untouched and may be completed later. Parts numbered above
        `part_count` are dropped with the upload.
        """

    @abc.abstractmethod
    def abort_upload(self, key: str, upload_id: str) -> None:
        """Drop an unfinished upload and its parts (no error if already gone)."""

    @abc.abstractmethod
    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Store a local file as the object `key` (streamed)."""

    @abc.abstractmethod
    def download_to(self, key: str, path: Path) -> None:
        """Write the object to `path` (streamed); ObjectNotFound if there is none."""

    @abc.abstractmethod
    def read_head(self, key: str, length: int) -> bytes:
        """The first `length` bytes (fewer if the object is shorter); ObjectNotFound if none."""

    @abc.abstractmethod
    def size(self, key: str) -> int | None:
        """The object's size in bytes, or None when it does not exist."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; a missing object is fine."""

    @abc.abstractmethod
    def local_path(self, key: str) -> Path | None:
        """The object's file, for send_file with HTTP ranges; None if the backend has no files."""

    @abc.abstractmethod
    def presign_get(
        self,
        key: str,
        expires_in: int,
        download_name: str | None = None,
        content_type: str | None = None,
    ) -> str | None:
        """A temporary URL to GET the object (ranges work); None if the app must serve it."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections. The storage must not be used afterwards."""

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# Local directory


def _append_file(source: BinaryIO, out: BinaryIO) -> None:
    """Append a whole part to `out`: in the kernel where it can (no copy through Python, a
    reflink on file systems that share blocks), else through a CHUNK buffer."""
    out.flush()
    start = out.tell()
    if hasattr(os, "copy_file_range"):
        try:
            while os.copy_file_range(source.fileno(), out.fileno(), 64 * CHUNK):
                pass
            return
        except OSError:
            # Not supported between these file systems: start this part again the plain way.
            source.seek(0)
            out.seek(start)
            out.truncate()
    shutil.copyfileobj(source, out, CHUNK)


def _local_errors(method: Callable[..., T]) -> Callable[..., T]:
    """Report the file system's failures (disk full, permissions) as StorageError."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except StorageError:
            raise
        except OSError as exc:
            raise StorageError(f"local storage {method.__name__}: {exc}") from exc

    return wrapper


def _fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (best effort: not every platform can open directories)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _md5_of_file(path: Path) -> tuple[int, str]:
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class LocalStorage(Storage):
    """Objects are files at `root/key`; multipart uploads live in `root/.uploads/<upload id>/`.

    An upload directory holds `upload.json` (the key, to refuse an id used with another key as
    S3 does, and the content type, kept for the record: files are served by send_file, which
    guesses it from the download name), and one file per part, `00001.part`, with its
    `00001.etag` ("<size> <md5 hex>"). A part is written to a temporary file in the same
    directory and renamed into place, so a half-written part never counts and a part sent again
    simply replaces the previous one.
    """

    direct_upload = False

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._uploads = self.root / ".uploads"

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    # -- helpers

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def _upload_dir(self, key: str, upload_id: str) -> Path:
        """The directory of an upload started for `key`, else UploadNotFound."""
        check_key(key)
        if not isinstance(upload_id, str) or not _UPLOAD_ID.fullmatch(upload_id):
            raise UploadNotFound(f"malformed upload id {upload_id!r}")
        directory = self._uploads / upload_id
        try:
            meta = json.loads((directory / _UPLOAD_META).read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError, ValueError) as exc:
            raise UploadNotFound(f"no upload {upload_id}") from exc
        if not isinstance(meta, dict) or meta.get("key") != key:
            raise UploadNotFound(f"upload {upload_id} is not for {key!r}")
        return directory

    @staticmethod
    def _part_files(directory: Path) -> list[tuple[int, Path]]:
        found = []
        for entry in os.scandir(directory):
            match = _PART_FILE.fullmatch(entry.name)
            if match and 1 <= int(match[1]) <= MAX_PARTS:
                found.append((int(match[1]), Path(entry.path)))
        return sorted(found)

    @staticmethod
    def _stored_part(number: int, path: Path) -> StoredPart | None:
        """The part at `path`, its etag from the side file (recomputed if stale); None if gone."""
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        try:
            recorded_size, etag = path.with_suffix(".etag").read_text(encoding="ascii").split()
            if int(recorded_size) != size:
                raise ValueError("stale etag")
        except (OSError, ValueError):
            try:
                size, etag = _md5_of_file(path)
            except FileNotFoundError:
                return None
        return StoredPart(number=number, size=size, etag=etag)

    def _remove_upload_dir(self, directory: Path) -> None:
        """Rename the upload away first, so it is gone at once for every other request."""
        trash = self._uploads / f".trash-{directory.name}-{secrets.token_hex(4)}"
        try:
            os.replace(directory, trash)
        except FileNotFoundError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    # -- multipart uploads

    @_local_errors
    def start_upload(self, key: str, content_type: str) -> str:
        check_key(key)
        self._uploads.mkdir(parents=True, exist_ok=True)
        upload_id = secrets.token_hex(16)
        directory = self._uploads / upload_id
        directory.mkdir()
        meta = json.dumps({"key": key, "content_type": content_type}, ensure_ascii=False)
        (directory / _UPLOAD_META).write_text(meta, encoding="utf-8")
        return upload_id

    @_local_errors
    def write_part(
        self, key: str, upload_id: str, number: int, body: BinaryIO, max_bytes: int
    ) -> StoredPart:
        _check_part_number(number)
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        directory = self._upload_dir(key, upload_id)
        try:
            fd, temp_name = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        except FileNotFoundError as exc:  # aborted or completed meanwhile
            raise UploadNotFound(f"no upload {upload_id}") from exc
        temp = Path(temp_name)
        try:
            digest = hashlib.md5(usedforsecurity=False)
            size = 0
            with os.fdopen(fd, "wb") as out:
                # Never read more than one byte past the limit.
                while chunk := body.read(min(CHUNK, max_bytes + 1 - size)):
                    size += len(chunk)
                    if size > max_bytes:
                        raise PartTooLarge(f"part {number} exceeds {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            etag = digest.hexdigest()
            part = directory / f"{number:05d}.part"
            etag_temp = directory / f".{number:05d}.{secrets.token_hex(4)}.etag"
            etag_temp.write_text(f"{size} {etag}", encoding="ascii")
            os.replace(etag_temp, part.with_suffix(".etag"))
            os.replace(temp, part)
        except FileNotFoundError as exc:
            temp.unlink(missing_ok=True)
            raise UploadNotFound(f"upload {upload_id} went away while writing") from exc
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return StoredPart(number=number, size=size, etag=etag)

    def presign_part(self, key: str, upload_id: str, number: int, expires_in: int) -> str:
        raise NotImplementedError("LocalStorage receives parts through the app (write_part)")

    @_local_errors
    def iter_parts(self, key: str, upload_id: str) -> Iterator[StoredPart]:
        directory = self._upload_dir(key, upload_id)
        try:
            files = self._part_files(directory)
        except FileNotFoundError as exc:
            raise UploadNotFound(f"no upload {upload_id}") from exc
        parts = (self._stored_part(number, path) for number, path in files)
        return (part for part in parts if part is not None)

    @_local_errors
    def complete_upload(self, key: str, upload_id: str, part_count: int, total_size: int) -> None:
        _check_part_count(part_count)
        directory = self._upload_dir(key, upload_id)
        destination = self._path(key)
        sizes: dict[int, StoredPart] = {}
        for number, path in self._part_files(directory):
            if number <= part_count:
                with_size = StoredPart(number=number, size=path.stat().st_size, etag="")
                sizes[number] = with_size
        _check_parts(sizes, part_count, total_size)

        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for number in range(1, part_count + 1):
                    try:
                        source = (directory / f"{number:05d}.part").open("rb")
                    except FileNotFoundError as exc:
                        raise IncompleteUpload(f"part {number} went away while joining") from exc
                    with source:
                        _append_file(source, out)
                written = out.tell()
                out.flush()
                os.fsync(out.fileno())
            if written != total_size:
                raise IncompleteUpload(f"parts changed while joining: {written} bytes")
            os.replace(temp, destination)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(destination.parent)
        self._remove_upload_dir(directory)

    @_local_errors
    def abort_upload(self, key: str, upload_id: str) -> None:
        try:
            directory = self._upload_dir(key, upload_id)
        except UploadNotFound:
            return
        self._remove_upload_dir(directory)

    # -- objects

    @_local_errors
    def put_file(self, key: str, path: Path, content_type: str) -> None:
        destination = self._path(key)
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out, Path(path).open("rb") as source:
                shutil.copyfileobj(source, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, destination)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(destination.parent)

    @_local_errors
    def download_to(self, key: str, path: Path) -> None:
        source = self._path(key)
        try:
            file = source.open("rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise ObjectNotFound(f"no object {key!r}") from exc
        try:
            with file, Path(path).open("wb") as out:
                shutil.copyfileobj(file, out, CHUNK)
        except BaseException:
            Path(path).unlink(missing_ok=True)
            raise

    @_local_errors
    def read_head(self, key: str, length: int) -> bytes:
        if length < 0:
            raise ValueError("length must not be negative")
        try:
            with self._path(key).open("rb") as file:
                return file.read(length)
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise ObjectNotFound(f"no object {key!r}") from exc

    @_local_errors
    def size(self, key: str) -> int | None:
        try:
            info = self._path(key).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return info.st_size if stat.S_ISREG(info.st_mode) else None

    @_local_errors
    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Prune the directories the key leaves empty (videos/12/<hex>/), never the root.
        for parent in path.parents:
            if parent == self.root or self.root not in parent.parents:
                break
            try:
                parent.rmdir()
            except OSError:
                break

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def presign_get(
        self,
        key: str,
        expires_in: int,
        download_name: str | None = None,
        content_type: str | None = None,
    ) -> str | None:
        check_key(key)
        return None


# ---------------------------------------------------------------------------------------------
# S3-compatible bucket


def s3_client_config(endpoint_url: str | None) -> Config:
    """botocore settings for AWS and for S3-compatible stores (MinIO, moto, Vietnamese clouds).

    - path-style addressing when an endpoint is given: those stores rarely serve
      virtual-host buckets;
    - checksums only when an operation requires them: botocore >= 1.36 otherwise adds CRC32
      trailers (aws-chunked bodies) many S3-compatible stores reject, and presigned part URLs
      must not expect checksum headers browsers will not send. write_part sends Content-MD5.
    """
    return Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"} if endpoint_url else None,
        retries={"mode": "standard"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _http_status(exc: ClientError) -> int | None:
    return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def _is_not_found(exc: ClientError) -> bool:
    return _http_status(exc) == 404 or _error_code(exc) in {"404", "NoSuchKey", "NotFound"}


class _S3Errors:
    """Context manager turning botocore exceptions into StorageError (with extra mappings)."""

    def __init__(self, action: str, *, no_such_upload: bool = False) -> None:
        self.action = action
        self.no_such_upload = no_such_upload

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> None:
        if exc is None or isinstance(exc, StorageError):
            return
        if isinstance(exc, ClientError):
            if self.no_such_upload and _error_code(exc) == "NoSuchUpload":
                raise UploadNotFound(f"S3 {self.action}: {exc}") from exc
            raise StorageError(f"S3 {self.action}: {exc}") from exc
        if isinstance(exc, BotoCoreError):
            raise StorageError(f"S3 {self.action}: {exc}") from exc


class S3Storage(Storage):
    """Objects in one bucket. Credentials come from boto3's default chain (environment,
    shared files, instance roles) and are never written in code or configuration."""

    direct_upload = True
    list_parts_page_size = 1000  # S3's maximum; lowered by the tests to exercise pagination

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        if client is None:
            # A session of its own: boto3's default session is not safe to share across threads
            # while clients are created; the client itself is.
            client = boto3.session.Session().client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=region,
                config=s3_client_config(endpoint_url),
            )
        self.client = client

    def __repr__(self) -> str:
        return f"S3Storage({self.bucket!r}, endpoint_url={self.client.meta.endpoint_url!r})"

    def close(self) -> None:
        self.client.close()

    # -- bucket set-up (CLI)

    def ensure_bucket(self, cors_origins: list[str] | None = None) -> None:
        """Create the bucket if missing; with origins, let those pages PUT/GET/HEAD to it."""
        with _S3Errors("ensure_bucket"):
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if not _is_not_found(exc) and _error_code(exc) != "NoSuchBucket":
                    raise
                region = self.client.meta.region_name
                extra: dict[str, Any] = {}
                if region and region != "us-east-1":
                    extra["CreateBucketConfiguration"] = {"LocationConstraint": region}
                try:
                    self.client.create_bucket(Bucket=self.bucket, **extra)
                except ClientError as create_exc:
                    if _error_code(create_exc) != "BucketAlreadyOwnedByYou":
                        raise
            if cors_origins:
                rule = {
                    "AllowedOrigins": list(cors_origins),
                    "AllowedMethods": ["PUT", "GET", "HEAD"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 3600,
                }
                self.client.put_bucket_cors(
                    Bucket=self.bucket, CORSConfiguration={"CORSRules": [rule]}
                )

    # -- multipart uploads

    def start_upload(self, key: str, content_type: str) -> str:
        check_key(key)
        with _S3Errors("create_multipart_upload"):
            response = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType=content_type
            )
        return response["UploadId"]

    def write_part(
        self, key: str, upload_id: str, number: int, body: BinaryIO, max_bytes: int
    ) -> StoredPart:
        """Spool the part to an anonymous temporary file (its length and MD5 must be known
        before the PUT, and retries need to re-read it), then upload it with Content-MD5."""
        check_key(key)
        _check_part_number(number)
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        with tempfile.TemporaryFile() as spool:
            digest = hashlib.md5(usedforsecurity=False)
            size = 0
            while chunk := body.read(min(CHUNK, max_bytes + 1 - size)):
                size += len(chunk)
                if size > max_bytes:
                    raise PartTooLarge(f"part {number} exceeds {max_bytes} bytes")
                digest.update(chunk)
                spool.write(chunk)
            spool.seek(0)
            with _S3Errors("upload_part", no_such_upload=True):
                response = self.client.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=spool,
                    ContentLength=size,
                    ContentMD5=base64.b64encode(digest.digest()).decode("ascii"),
                )
        return StoredPart(number=number, size=size, etag=response["ETag"].strip('"'))

    def presign_part(self, key: str, upload_id: str, number: int, expires_in: int) -> str:
        check_key(key)
        _check_part_number(number)
        with _S3Errors("presign upload_part"):
            return self.client.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "UploadId": upload_id,
                    "PartNumber": number,
                },
                ExpiresIn=expires_in,
                HttpMethod="PUT",
            )

    def _part_pages(self, key: str, upload_id: str) -> Iterator[list[StoredPart]]:
        """ListParts page by page, following NextPartNumberMarker."""
        marker = 0
        while True:
            with _S3Errors("list_parts", no_such_upload=True):
                response = self.client.list_parts(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MaxParts=self.list_parts_page_size,
                    PartNumberMarker=marker,
                )
            yield [
                StoredPart(number=p["PartNumber"], size=p["Size"], etag=p["ETag"].strip('"'))
                for p in response.get("Parts", [])
            ]
            next_marker = int(response.get("NextPartNumberMarker") or 0)
            if not response.get("IsTruncated"):
                return
            if next_marker <= marker:
                raise StorageError(f"S3 list_parts: marker did not advance past {marker}")
            marker = next_marker

    def iter_parts(self, key: str, upload_id: str) -> Iterator[StoredPart]:
        check_key(key)
        pages = self._part_pages(key, upload_id)
        first = next(pages)  # UploadNotFound now, not on first iteration
        return itertools.chain.from_iterable(itertools.chain([first], pages))

    def complete_upload(self, key: str, upload_id: str, part_count: int, total_size: int) -> None:
        """Builds the part list from ListParts, so browsers never need to read ETags.

        S3 also refuses parts other than the last under 5 MiB (StorageError, upload kept).
        """
        _check_part_count(part_count)
        parts = {p.number: p for p in self.iter_parts(key, upload_id) if p.number <= part_count}
        _check_parts(parts, part_count, total_size)
        listed = [{"PartNumber": n, "ETag": f'"{parts[n].etag}"'} for n in range(1, part_count + 1)]
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": listed},
            )
        except ClientError as exc:
            code = _error_code(exc)
            if code == "NoSuchUpload":
                # The upload existed a moment ago: if botocore retried a completion whose
                # answer was lost, the object is there.
                if self.size(key) == total_size:
                    return
                raise UploadNotFound(f"S3 complete_multipart_upload: {exc}") from exc
            if code in {"InvalidPart", "InvalidPartOrder"}:  # a part was replaced meanwhile
                raise IncompleteUpload(f"S3 complete_multipart_upload: {exc}") from exc
            raise StorageError(f"S3 complete_multipart_upload: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 complete_multipart_upload: {exc}") from exc

    def abort_upload(self, key: str, upload_id: str) -> None:
        check_key(key)
        try:
            with _S3Errors("abort_multipart_upload", no_such_upload=True):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except UploadNotFound:
            pass

    # -- objects

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Uploads through boto3's transfer manager: multipart above 64 MiB, each part read
        from the file as it is sent."""
        check_key(key)
        transfer = TransferConfig(
            multipart_threshold=64 * CHUNK, multipart_chunksize=16 * CHUNK, max_concurrency=4
        )
        with _S3Errors("upload_file"):
            self.client.upload_file(
                str(path),
                self.bucket,
                key,
                ExtraArgs={"ContentType": content_type},
                Config=transfer,
            )

    def download_to(self, key: str, path: Path) -> None:
        check_key(key)
        try:
            with _S3Errors("get_object"):
                response = self.client.get_object(Bucket=self.bucket, Key=key)
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and _is_not_found(cause):
                raise ObjectNotFound(f"no object {key!r}") from cause
            raise
        body = response["Body"]
        try:
            with _S3Errors("get_object body"), Path(path).open("wb") as out:
                for chunk in body.iter_chunks(CHUNK):
                    out.write(chunk)
        except BaseException:
            Path(path).unlink(missing_ok=True)
            raise
        finally:
            body.close()

    def read_head(self, key: str, length: int) -> bytes:
        check_key(key)
        if length < 0:
            raise ValueError("length must not be negative")
        if length == 0:
            return b""
        try:
            with _S3Errors("get_object"):
                response = self.client.get_object(
                    Bucket=self.bucket, Key=key, Range=f"bytes=0-{length - 1}"
                )
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and _error_code(cause) == "InvalidRange":
                return b""  # an empty object has no byte 0
            if isinstance(cause, ClientError) and _is_not_found(cause):
                raise ObjectNotFound(f"no object {key!r}") from cause
            raise
        body = response["Body"]
        try:
            with _S3Errors("get_object body"):
                chunks = []
                remaining = length
                while remaining > 0 and (chunk := body.read(min(remaining, CHUNK))):
                    chunks.append(chunk)
                    remaining -= len(chunk)
                return b"".join(chunks)
        finally:
            body.close()

    def size(self, key: str) -> int | None:
        check_key(key)
        try:
            with _S3Errors("head_object"):
                response = self.client.head_object(Bucket=self.bucket, Key=key)
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and _is_not_found(cause):
                return None
            raise
        return int(response["ContentLength"])

    def delete(self, key: str) -> None:
        check_key(key)
        with _S3Errors("delete_object"):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def local_path(self, key: str) -> Path | None:
        return None

    def presign_get(
        self,
        key: str,
        expires_in: int,
        download_name: str | None = None,
        content_type: str | None = None,
    ) -> str | None:
        check_key(key)
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ResponseContentType"] = content_type
        if download_name:
            params["ResponseContentDisposition"] = content_disposition(download_name)
        with _S3Errors("presign get_object"):
            return self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires_in, HttpMethod="GET"
            )


# ---------------------------------------------------------------------------------------------
# Configuration


def storage_from_config(config: Mapping[str, Any], instance_path: str) -> Storage:
    """S3Storage when S3_BUCKET is set (S3_ENDPOINT_URL, S3_REGION optional), else a
    LocalStorage in MEDIA_DIR (default: <instance>/media)."""
    bucket = config.get("S3_BUCKET")
    if bucket:
        return S3Storage(
            bucket,
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region=config.get("S3_REGION") or None,
        )
    return LocalStorage(Path(config.get("MEDIA_DIR") or Path(instance_path) / "media"))


_create_lock = threading.Lock()


def current_storage() -> Storage:
    """The app's storage, made from its configuration on first use and kept in extensions."""
    storage = current_app.extensions.get("storage")
    if storage is None:
        with _create_lock:
            storage = current_app.extensions.get("storage")
            if storage is None:
                storage = storage_from_config(current_app.config, current_app.instance_path)
                current_app.extensions["storage"] = storage
    return storage
