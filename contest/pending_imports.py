"""An uploaded file waiting between its preview and its import: kept on disk under the
instance folder (contest.questions.uploads) and named in the organizer's session, one per kind
of import (questions, accounts, units)."""

from pathlib import Path

from flask import abort, current_app, session
from werkzeug.datastructures import FileStorage

from contest.questions import uploads


class PendingImport:
    """The one file of a kind of import an organizer is previewing."""

    def __init__(self, session_key: str, *folder: str) -> None:
        self.session_key, self.folder = session_key, folder

    def _directory(self) -> Path:
        return Path(current_app.instance_path).joinpath(*self.folder)

    def start(self, upload: FileStorage, **details: str) -> str:
        """Keep `upload` in place of any earlier one; its token names it in the preview's URL."""
        self.drop()
        token = uploads.stash_upload(upload, self._directory())
        session[self.session_key] = {"token": token, "name": upload.filename, **details}
        return token

    def get(self, token: str) -> tuple[dict, Path]:
        """The session's details and the file for `token`, or a 404 (unknown, old or forged)."""
        pending = session.get(self.session_key)
        path = uploads.stashed_file(self._directory(), token)
        if not pending or pending.get("token") != token or path is None:
            abort(404)
        return pending, path

    def update(self, token: str, **details: str) -> None:
        """Change what the preview of `token` keeps beside its file (a topic chosen there)."""
        pending, _path = self.get(token)
        session[self.session_key] = {**pending, **details, "token": pending["token"]}

    def drop(self) -> None:
        """Forget the pending file (imported, or replaced by another)."""
        pending = session.pop(self.session_key, None)
        if pending:
            uploads.forget_upload(self._directory(), pending["token"])
