"""The one shape of a refused action, shared by the features' services."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# What a database that does not answer raises: a refused or timed-out connection, a connection
# lost under a query, no free connection in the pool. Answered 503 (setup.register_errors).
DATABASE_UNREACHABLE = (OperationalError, InterfaceError, PoolTimeout)


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
