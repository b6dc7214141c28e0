"""The one shape of a refused action, shared by the features' services."""

from flask_babel import lazy_gettext as _l


class Refused(Exception):
    """A refused action: `code` is stable, `status` its HTTP status, `message` for people."""

    code = "refused"
    status = 400
    message = _l("This action is not possible.")

    def __init__(self, message=None, **details) -> None:
        super().__init__(str(message or self.message))
        self.message = message or self.message
        self.details = details


class ContestArchived(Refused):
    """A change to a contest whose results are published: the archive is read-only."""

    code, status = "contest_archived", 409
    message = _l(
        "This contest is archived: its results are published, and nothing in it can change "
        "any more."
    )
