"""The one reader of paging in query strings: ?page=N on pages, ?limit=&offset= on the API."""

from flask import abort, request
from flask_babel import lazy_gettext as _l

from contest.errors import Refused
from contest.numbers import whole_number

# Beyond this a page number is nonsense, and its offset could overflow a database integer.
MAX_PAGE = 1_000_000
MAX_OFFSET = 10**9


class InvalidPaging(Refused):
    """limit or offset out of their bounds or not written in digits."""

    code = "invalid_limit"
    status = 422
    message = _l("limit must be 1 to 1000, offset 0 or more.")


def requested_page() -> int:
    """The page number asked for: 1 when absent or not a number in digits, 404 when absurd."""
    raw = request.args.get("page")
    if raw is None or not raw.isdigit():  # absent, '-3', 'abc': the first page, as links expect
        return 1
    page = whole_number(raw, 0, MAX_PAGE)  # digits, but '²' or 10^20: no such page
    if page is None:
        abort(404)
    return max(1, page)


def requested_window(default_limit: int = 100, max_limit: int = 1000) -> tuple[int, int]:
    """(limit, offset) of an API listing; InvalidPaging (422) unless digits within bounds."""
    limit = whole_number(request.args.get("limit", str(default_limit)), 1, max_limit)
    offset = whole_number(request.args.get("offset", "0"), 0, MAX_OFFSET)
    if limit is None or offset is None:
        raise InvalidPaging()
    return limit, offset
