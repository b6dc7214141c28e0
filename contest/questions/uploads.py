"""Question files waiting between their preview and the organizer's confirmation."""

import re
import secrets
import time
from pathlib import Path

from werkzeug.datastructures import FileStorage

from contest.domain.question_files import file_format

_TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_SECONDS = 24 * 3600


def stash_upload(upload: FileStorage, directory: Path) -> str:
    """Keep an uploaded file under a random token; forget files older than a day."""
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in directory.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    upload.save(directory / f"{token}.upload")
    return token


def stashed_file(directory: Path, token: str) -> Path | None:
    """The stashed file for a token, or None (unknown, expired or forged token)."""
    if not _TOKEN.fullmatch(token):
        return None
    path = directory / f"{token}.upload"
    return path if path.is_file() else None


def forget_upload(directory: Path, token: str) -> None:
    path = stashed_file(directory, token)
    if path is not None:
        path.unlink(missing_ok=True)


def readable_name(name: str | None) -> bool:
    """Whether an uploaded file's name announces a format the platform reads."""
    return bool(name) and file_format(name) is not None
