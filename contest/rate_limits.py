"""Rate limits that survive a Redis outage.

With `REDIS_URL` set the limits are counted in Redis, shared by every worker. When Redis stops
answering, a limiter storage that raises would answer 500 to every limited request (login, the
contest, start, save, submit) while the rounds' clocks keep running. `FallbackStorage` keeps
the limits in this process's memory instead (each worker then counts on its own: looser, never
off), logs the outage once when it begins and once when it ends, tries Redis again every
`retry_seconds` from one request at a time, and goes back to Redis by itself when it answers.

Flask-Limiter's own `RATELIMIT_IN_MEMORY_FALLBACK_ENABLED` does much the same, but keeps its
state in private attributes (nothing to show the organizers), logs to a logger with no handler,
and retries Redis on a schedule that grows to 32 s. This storage is registered with `limits`
under the schemes `fallback+redis://`, `fallback+rediss://` and `fallback+redis+unix://`
(setup.configure prefixes `REDIS_URL`).
"""

import functools
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import abort, current_app, request
from flask.globals import request_ctx
from limits import RateLimitItem, parse_many
from limits.storage import (
    MemoryStorage,
    MovingWindowSupport,
    RedisStorage,
    SlidingWindowCounterSupport,
    Storage,
)

from contest.extensions import limiter, user_or_address

log = logging.getLogger("contest.rate_limits")

PREFIX = "fallback+"
# A Redis that hangs (rather than refusing connections) costs a request at most this long
# before the limits move to memory; Redis answers in well under a millisecond when healthy.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_seconds": 5.0}


class FallbackStorage(Storage, MovingWindowSupport, SlidingWindowCounterSupport):
    """Redis while it answers, this process's memory while it does not."""

    STORAGE_SCHEME = ["fallback+redis", "fallback+rediss", "fallback+redis+unix"]

    def __init__(
        self,
        uri: str,
        wrap_exceptions: bool = False,
        retry_seconds: float = 5.0,
        **options,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.redis = RedisStorage(uri.removeprefix(PREFIX), **options)  # connects lazily
        self.memory = MemoryStorage()
        self.retry_seconds = retry_seconds
        self.down_since: datetime | None = None
        self._next_try = 0.0  # time.monotonic() of the next try while Redis is down
        self._lock = threading.Lock()

    @property
    def base_exceptions(self) -> tuple:
        return ()  # nothing escapes: a failing Redis is answered from memory

    def _try_redis(self) -> bool:
        """Whether this call should go to Redis: always when it is up; while it is down, one
        call every retry_seconds (the others do not wait on it)."""
        if self.down_since is None:
            return True
        now = time.monotonic()
        with self._lock:
            if now < self._next_try:
                return False
            self._next_try = now + self.retry_seconds
            return True

    def _went_down(self, error: Exception) -> None:
        with self._lock:
            self._next_try = time.monotonic() + self.retry_seconds
            if self.down_since is not None:
                return
            self.down_since = datetime.now(UTC)
        log.warning(
            "Redis does not answer (%s: %s): rate limits are kept in this process's memory "
            "until it does; trying again every %s s.",
            type(error).__name__,
            error,
            self.retry_seconds,
        )

    def _came_back(self) -> None:
        with self._lock:
            since, self.down_since = self.down_since, None
        if since is not None:
            seconds = (datetime.now(UTC) - since).total_seconds()
            log.warning(
                "Redis answers again: rate limits are shared through it again "
                "(kept in memory for %.0f s).",
                seconds,
            )

    def _call(self, method: str, *args, **kwargs):
        if self._try_redis():
            try:
                result = getattr(self.redis, method)(*args, **kwargs)
            # Any failure: the limiter protects the contest and must never be what stops it.
            except Exception as error:
                self._went_down(error)
            else:
                if self.down_since is not None:
                    self._came_back()
                return result
        return getattr(self.memory, method)(*args, **kwargs)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:
        return self._call("get_expiry", key)

    def clear(self, key: str) -> None:
        self.memory.clear(key)
        self._call("clear", key)

    def reset(self) -> int | None:
        self.memory.reset()
        return self._call("reset")

    def check(self) -> bool:
        """Whether Redis answers now (a ping, or the outage's state between tries)."""
        if not self._try_redis():
            return False
        if self.redis.check():
            self._came_back()
            return True
        self._went_down(ConnectionError("no answer to PING"))
        return False

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return self._call("acquire_entry", key, limit, expiry, amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        return self._call("get_moving_window", key, limit, expiry)

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        return self._call("acquire_sliding_window_entry", key, limit, expiry, amount)

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        return self._call("get_sliding_window", key, expiry)

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        self.memory.clear_sliding_window(key, expiry)
        self._call("clear_sliding_window", key, expiry)


def storage_settings(redis_url: str | None) -> dict:
    """The limiter's storage settings: Redis with the memory fallback, or memory alone."""
    if not redis_url:
        return {"RATELIMIT_STORAGE_URI": "memory://"}
    return {
        "RATELIMIT_STORAGE_URI": PREFIX + redis_url,
        "RATELIMIT_STORAGE_OPTIONS": dict(DEFAULT_OPTIONS),
    }


def rate_limit_outage() -> datetime | None:
    """Since when this process keeps rate limits in memory because Redis does not answer;
    None when Redis answers or none is configured (for the organizers' overview)."""
    if not (limiter.enabled and limiter.initialized):
        return None
    storage = limiter.storage
    if not isinstance(storage, FallbackStorage):
        return None
    storage.check()
    return storage.down_since


def redis_state() -> str:
    """`ok`, `unreachable` (limits in memory meanwhile) or `not_configured`, for /healthz."""
    if not (limiter.enabled and limiter.initialized):
        return "not_configured"
    storage = limiter.storage
    if not isinstance(storage, FallbackStorage):
        return "not_configured"
    return "ok" if storage.check() else "unreachable"


@functools.lru_cache(maxsize=32)
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits))


def skip_the_global_check(app) -> None:
    """Take Flask-Limiter's before_request check off every request when it has nothing to do.

    Every limit of the platform sits on its view (Flask-Limiter's decorators, limit_per_user),
    and those check themselves when the view runs. The global hook only adds default,
    application, meta and blueprint limits: while none is set it costs each request as much as
    a Redis call and checks nothing. Setting one keeps the hook.
    """
    manager = limiter.limit_manager
    needed = (
        manager.default_limits
        or manager.application_limits
        or app.config.get("RATELIMIT_META")
        or any(manager.blueprint_limits(app, name) for name in app.blueprints)
    )
    hooks = app.before_request_funcs.get(None, [])
    if not needed and limiter._check_request_limit in hooks:  # absent when limits are off
        hooks.remove(limiter._check_request_limit)


def skip_idle_request_hooks(app) -> None:
    """Run Flask-Limiter's after_request and teardown hooks only in requests it worked in.

    They read and reset the limiter's per-request context (conditional deductions such as the
    registration limits' deduct_when, and rate-limit headers), which only a Flask-Limiter limit
    creates: in a request without one (the quiz API, whose limit_per_user counts without it)
    they found nothing to do and cost about sixty Python calls doing it.
    """
    after = app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    for hooks in (after, teardown):
        for index, hook in enumerate(hooks):
            target = getattr(hook, "func", hook)
            if getattr(target, "__name__", "") in _LIMITER_HOOKS:
                hooks[index] = _when_limiter_worked(hook)


_LIMITER_HOOKS = frozenset({"__inject_headers", "__release_context"})


def _when_limiter_worked(hook: Callable) -> Callable:
    @functools.wraps(getattr(hook, "func", hook))
    def guarded(value):
        if hasattr(request_ctx, "_limiter_request_context"):
            return hook(value)
        return value  # after_request: the response, unchanged; teardown: ignored

    return guarded


def limit_per_user(config_key: str) -> Callable:
    """A view's limit, per user (else per client address) and per endpoint, read from the
    configuration: the quiz API's hot paths.

    It counts exactly as `limiter.limit` did (the limiter's strategy and storage, the same keys:
    user or address, scoped by endpoint), with one storage call per request and none of
    Flask-Limiter's per-request bookkeeping, which cost as much as the Redis round trip itself.
    A refused request answers 429 like any other (setup.register_errors).
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def limited(*args, **kwargs):
            if limiter.enabled:
                key, scope = user_or_address(), request.endpoint
                for item in _parsed(current_app.config[config_key]):
                    if not limiter.limiter.hit(item, key, scope):
                        abort(429)
            return view(*args, **kwargs)

        return limited

    return decorate
