"""The steps create_app takes, one function each."""

import logging
from contextlib import suppress
from pathlib import Path

from flask import (
    Flask,
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from contest import clock, i18n, rate_limits, security
from contest.config import env_int, load_config, resolve_secret_key
from contest.contest_setup.rules_text import render_rules_text
from contest.errors import DATABASE_UNREACHABLE, Refused
from contest.extensions import babel, csrf, db, limiter, login_manager, migrate
from contest.models import ContestState, Role, User


def configure(app: Flask, overrides: dict) -> None:
    """Load the configuration and make sure instance/ exists."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(overrides)
    app.config["SECRET_KEY"] = resolve_secret_key(app.config, app.instance_path, app.debug)
    # The remember-me cookie logs in as well as the session cookie: Secure whenever that one is.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    # Rate limits are shared by every worker through Redis (with a per-process memory fallback
    # while Redis does not answer: contest/rate_limits.py); memory is per process.
    for key, value in rate_limits.storage_settings(app.config["REDIS_URL"]).items():
        app.config.setdefault(key, value)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", postgres_engine_options(app.config))
    proxies = env_int("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def postgres_engine_options(config: dict) -> dict:
    """The pool and timeouts of PostgreSQL connections (README, Scaling out).

    A database that stops answering (a failover, a cut link) must make a request fail within
    seconds, with a 503, rather than hold a thread until gunicorn kills its worker: libpq's
    connect_timeout bounds a new connection, tcp_user_timeout a query whose packets go
    unacknowledged, pool_timeout the wait for a free connection. No pool_pre_ping: it made
    requests hang past 15 s in the kill -9 fault test; a connection a database restart closed
    fails its one request with a 503 (the client retries) and SQLAlchemy then replaces the
    pool's connections.
    """
    seconds = config["DATABASE_TIMEOUT"]
    return {
        "pool_size": config["DATABASE_POOL_SIZE"],
        "max_overflow": config["DATABASE_MAX_OVERFLOW"],
        "pool_timeout": config["DATABASE_POOL_TIMEOUT"],
        "connect_args": {"connect_timeout": seconds, "tcp_user_timeout": seconds * 1000},
    }


def tune_sqlite_connection(dbapi_connection, connection_record) -> None:
    """WAL lets readers work while one writer commits; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_extensions(app: Flask) -> None:
    """Bind the extension instances to the application."""
    from contest import models
    from contest.auth.sessions import CachedCookieSessionInterface, parse_user_id

    app.session_interface = CachedCookieSessionInterface()

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", tune_sqlite_connection)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.compile_catalogs()
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=lambda: app.config["TIMEZONE"]
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = i18n.LOGIN_REQUIRED_MESSAGE
    login_manager.login_message_category = "warning"

    @login_manager.user_loader
    def load_user(user_id: str) -> "models.User | None":
        who = parse_user_id(user_id)  # "id:session_version", from the session or remember-me
        # With the roles (one statement): starting a round and every page check them.
        user = db.session.get(models.User, who.id, options=[USER_WITH_ROLES]) if who else None
        if user is None or not user.is_active or user.session_version != who.version:
            return None  # disabled, or the session was revoked: logged out
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return api_error("not_authenticated", _("Please log in first."), 401)
        flash(i18n.LOGIN_REQUIRED_MESSAGE, "warning")
        return redirect(url_for("auth.login", next=request.full_path))


USER_WITH_ROLES = joinedload(User.role_rows)
CONTEST_SLUG = "contest_slug"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def register_blueprints(app: Flask) -> None:
    """Mount every feature."""
    from contest.api import bp as api_bp
    from contest.auth import bp as auth_bp
    from contest.contest_setup import bp as contest_setup_bp
    from contest.contest_setup import contests_bp, documents_bp
    from contest.health import bp as health_bp
    from contest.judging import bp as judging_bp
    from contest.organizer import bp as organizer_bp
    from contest.organizer import contest_bp as contest_organizer_bp
    from contest.people import bp as people_bp
    from contest.public import bp as public_bp
    from contest.questions import bp as questions_bp
    from contest.questions import contest_bp as contest_questions_bp
    from contest.quiz import bp as quiz_bp
    from contest.results import bp as results_bp
    from contest.review import bp as review_bp
    from contest.units import bp as units_bp
    from contest.videos import bp as videos_bp

    # Site-wide pages, then a contest's own pages under /contests/<contest_slug>/.
    app.register_blueprint(public_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(organizer_bp, url_prefix="/organizer")
    app.register_blueprint(people_bp, url_prefix="/organizer/people")
    app.register_blueprint(questions_bp, url_prefix="/organizer/questions")
    app.register_blueprint(units_bp, url_prefix="/organizer/units")
    app.register_blueprint(contests_bp, url_prefix="/organizer/contests")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    security.protect_api(app, api_bp)
    scoped = f"/contests/<{CONTEST_SLUG}>"
    app.register_blueprint(quiz_bp, url_prefix=f"{scoped}/quiz")
    app.register_blueprint(results_bp, url_prefix=f"{scoped}/results")
    app.register_blueprint(videos_bp, url_prefix=f"{scoped}/videos")
    app.register_blueprint(judging_bp, url_prefix=f"{scoped}/judging")
    app.register_blueprint(contest_organizer_bp, url_prefix=f"{scoped}/organizer")
    app.register_blueprint(contest_questions_bp, url_prefix=f"{scoped}/organizer/questions")
    app.register_blueprint(contest_setup_bp, url_prefix=f"{scoped}/organizer/settings")
    app.register_blueprint(review_bp, url_prefix=f"{scoped}/organizer/review")
    app.register_blueprint(documents_bp, url_prefix=f"{scoped}/documents")
    register_contest_lookup(app)
    rate_limits.skip_the_global_check(app)
    rate_limits.skip_idle_request_hooks(app)


def register_contest_lookup(app: Flask) -> None:
    """The one way a request knows its contest: the URL's `contest_slug`, looked up once into
    `g.contest` (404 for an unknown slug); URLs built inside a contest stay in it."""
    from contest.models import Contest

    @app.url_value_preprocessor
    def pull_contest(endpoint: str | None, values: dict | None) -> None:
        g.contest = None
        if not values or CONTEST_SLUG not in values:
            return
        slug = values.pop(CONTEST_SLUG)
        g.contest = db.session.scalar(select(Contest).where(Contest.slug == slug))
        if g.contest is None:
            message = _("This contest does not exist.")
            if request.path.startswith("/api/"):
                abort(api_error("unknown_contest", message, 404))
            page = render_template("errors/error.html", status=404, message=message)
            abort(make_response(page, 404))

    @app.before_request
    def refuse_changes_to_an_archive() -> None:
        # An archive (results published) is read-only: every write inside it is refused here,
        # whatever page or API route it comes through. Reopening the results (logged, with a
        # reason) is the one way back, and makes the contest no longer an archive.
        contest = g.get("contest")
        if contest is None or request.method in SAFE_METHODS:
            return
        if request.endpoint == "results.results_step" and request.view_args == {"step": "reopen"}:
            return
        contest.refuse_if_archived(clock.utc_now())

    @app.url_defaults
    def add_contest(endpoint: str, values: dict) -> None:
        contest = g.get("contest")
        if contest is None or CONTEST_SLUG in values:
            return
        if app.url_map.is_endpoint_expecting(endpoint, CONTEST_SLUG):
            values[CONTEST_SLUG] = contest.slug


def api_error(code: str, message: str, status: int, **extra):
    """The API's error body: {"error": CODE, "message": TEXT, ...}."""
    response = jsonify({"error": code, "message": str(message), **extra})
    response.status_code = status
    return response


log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def register_errors(app: Flask) -> None:
    """JSON errors under /api/, pages elsewhere; messages in the user's language."""

    def database_unavailable(error: SQLAlchemyError):
        # A 503 the client can retry, never a 500: the round page retries its saves, and the
        # page itself reloads; nothing is acknowledged that was not committed.
        with suppress(SQLAlchemyError):
            db.session.rollback()
        log.warning("database unreachable: %s", str(error).splitlines()[0][:300])
        message = _(
            "The service is briefly unavailable: the database does not answer. Your saved "
            "answers are kept. Try again in a few seconds."
        )
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.path.startswith("/api/"):
            response = api_error("database_unavailable", message, 503)
            response.headers.update(headers)
            return response
        # A page of its own: the usual layout reads the logged-in user from the database.
        page = render_template(
            "errors/unavailable.html", message=message, retry_after=RETRY_AFTER_SECONDS
        )
        return page, 503, headers

    for error_class in DATABASE_UNREACHABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        message = _("Your session has expired or the form was forged. Reload the page and retry.")
        if request.path.startswith("/api/"):
            return api_error("csrf_failed", message, 400)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(Refused)
    def refused(error: Refused):
        # Views catch the refusals they expect; any other (an archive's) is answered here.
        if request.path.startswith("/api/"):
            return api_error(error.code, str(error.message), error.status, **error.details)
        page = render_template("errors/error.html", status=error.status, message=error.message)
        return page, error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        error = _not_found_unless_another_method_fits(app, error)
        message = i18n.http_error_message(error.code)
        if error.code == 429:
            message = _("Too many requests. Wait a moment and try again.")
        # The error's own headers stay: Allow on a 405, Retry-After, WWW-Authenticate...
        headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
        if request.path.startswith("/api/"):
            response = api_error(i18n.http_error_code(error.code), message, error.code)
            response.headers.extend(headers)
            return response
        status = error.code or 500
        # A page says what to do in plain words, and how long to wait when that is known.
        if status == 429:
            wait = dict(headers).get("Retry-After", "")
            message = (
                _("Wait %(seconds)s seconds, then try again.", seconds=wait)
                if wait.isdigit()
                else _("Wait a minute, then try again.")
            )
        elif status == 409:
            message = _("Reload the page to see where things stand now, then try again.")
        page = render_template("errors/error.html", status=status, message=message)
        return page, status, headers


def _not_found_unless_another_method_fits(app: Flask, error: HTTPException) -> HTTPException:
    """A 405 is only true when the path exists for another method. Werkzeug answers 405 when
    a route of another method has the path's shape, even if its id is out of range (DELETE
    /uploads/0 beside GET /uploads/<int>): such a path exists for no method, so it is a 404."""
    if not isinstance(error, MethodNotAllowed):
        return error
    adapter = app.create_url_adapter(request)
    for method in error.valid_methods or ():
        try:
            adapter.match(method=method)
        except NotFound:
            continue
        except HTTPException:  # a redirect, another 405...: the path exists
            return error
        return error
    return NotFound()


def register_security_headers(app: Flask) -> None:
    """CSP, framing, sniffing, referrer, caching and HSTS headers on every response."""
    security.register(app)


def register_template_helpers(app: Flask) -> None:
    """Filters for dates, money and durations, and the globals every page needs."""
    app.jinja_env.filters["local_datetime"] = i18n.format_local_datetime
    app.jinja_env.filters["local_moment"] = i18n.format_local_moment
    app.jinja_env.filters["local_close"] = i18n.format_local_close
    app.jinja_env.filters["money"] = i18n.format_money
    app.jinja_env.globals["error_heading"] = i18n.http_error_heading
    app.jinja_env.globals["zone_label"] = i18n.zone_label
    app.jinja_env.filters["duration"] = i18n.format_duration_ms
    app.jinja_env.filters["time_limit"] = i18n.format_time_limit
    app.jinja_env.filters["time_left"] = i18n.format_time_left
    app.jinja_env.filters["local_time"] = i18n.format_local_time
    app.jinja_env.filters["local_day_month"] = i18n.format_local_day_month
    app.jinja_env.filters["size"] = i18n.format_size
    app.jinja_env.filters["video_length"] = i18n.format_video_length
    app.jinja_env.filters["points"] = i18n.format_points
    app.jinja_env.filters["rules_text"] = render_rules_text
    app.jinja_env.globals["current_locale_code"] = i18n.current_locale_code
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["ContestState"] = ContestState
    app.jinja_env.globals["contest_state_label"] = i18n.contest_state_label
    app.jinja_env.globals["rate_limit_outage"] = rate_limits.rate_limit_outage

    @app.context_processor
    def inject_globals() -> dict:
        # page_contest: the contest the page is inside (its URL's slug), None on site-wide pages.
        return {"current_user": current_user, "page_contest": g.get("contest")}


def register_commands(app: Flask) -> None:
    """Add the platform's `flask` commands."""
    from contest.cli import register

    register(app)
