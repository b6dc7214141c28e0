"""The application and request classes: Flask's, less work Flask repeats on every request.

Both are measured on the quiz API's hot path (bench/profile_requests.py, README Performance):

- Flask asks `inspect.iscoroutinefunction` of every hook and view on every request, about nine
  Python calls each, some seventy a request; the answer for a function never changes, so the
  plain (not async) ones are remembered, weakly (a request's own after_this_request functions
  leave with it). Overriding `ensure_sync` is what Flask documents for changing it.
- Werkzeug finds the Cookie header by walking every header of the request and then parses it,
  on every request that opens the session; the header is read from the WSGI environment and
  each distinct header is parsed once per process (the result is immutable, so requests
  sharing it cannot change what another reads).
"""

import contextlib
import functools
import weakref

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.http import parse_cookie
from werkzeug.utils import cached_property


@functools.lru_cache(maxsize=4096)
def _parsed_cookies(header: str) -> ImmutableMultiDict:
    return parse_cookie(header, cls=ImmutableMultiDict)


class ContestRequest(Request):
    """Flask's request, with the Cookie header read directly and parsed once per process."""

    @cached_property
    def cookies(self) -> ImmutableMultiDict:
        """The cookies the request carries (an immutable dict, as Werkzeug's)."""
        return _parsed_cookies(self.environ.get("HTTP_COOKIE", ""))


class ContestFlask(Flask):
    """Flask, remembering which hooks and views are plain functions (see the module)."""

    request_class = ContestRequest

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._plain_functions: weakref.WeakSet = weakref.WeakSet()

    def ensure_sync(self, func):
        """Flask's, with the answer for a plain function remembered."""
        try:
            if func in self._plain_functions:
                return func
        except TypeError:  # unhashable: asked every time
            return super().ensure_sync(func)
        synced = super().ensure_sync(func)
        if synced is func:
            with contextlib.suppress(TypeError):  # not weakly referenceable: asked every time
                self._plain_functions.add(func)
        return synced
