"""The page a listing is asked for (?page=N), the same on every paged listing."""

from flask import abort, request

# Beyond this a page number is nonsense, and its offset could overflow a database integer.
MAX_PAGE = 1_000_000


def requested_page() -> int:
    """The page number asked for: 1 when absent or not a positive number, 404 when absurd."""
    page = max(1, request.args.get("page", default=1, type=int))
    if page > MAX_PAGE:
        abort(404)
    return page
