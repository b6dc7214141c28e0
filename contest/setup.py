"""The steps create_app takes, one function each."""

from pathlib import Path

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from contest import i18n
from contest.config import env_int, load_config, resolve_secret_key
from contest.extensions import babel, csrf, db, limiter, login_manager, migrate
from contest.models import Role


def configure(app: Flask, overrides: dict) -> None:
    """Load the configuration and make sure instance/ exists."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(overrides)
    app.config["SECRET_KEY"] = resolve_secret_key(app.config, app.instance_path, app.debug)
    # Rate limits are shared by every worker through Redis; memory is per process.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    proxies = env_int("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


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
        user = db.session.get(models.User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None  # disabled: logged out

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return api_error("not_authenticated", _("Please log in first."), 401)
        flash(i18n.LOGIN_REQUIRED_MESSAGE, "warning")
        return redirect(url_for("auth.login", next=request.full_path))


def register_blueprints(app: Flask) -> None:
    """Mount every feature."""
    from contest.api import bp as api_bp
    from contest.auth import bp as auth_bp
    from contest.judging import bp as judging_bp
    from contest.organizer import bp as organizer_bp
    from contest.public import bp as public_bp
    from contest.questions import bp as questions_bp
    from contest.quiz import bp as quiz_bp
    from contest.results import bp as results_bp
    from contest.videos import bp as videos_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(quiz_bp, url_prefix="/quiz")
    app.register_blueprint(results_bp, url_prefix="/results")
    app.register_blueprint(organizer_bp, url_prefix="/organizer")
    app.register_blueprint(questions_bp, url_prefix="/organizer/questions")
    app.register_blueprint(videos_bp, url_prefix="/videos")
    app.register_blueprint(judging_bp, url_prefix="/judging")
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def api_error(code: str, message: str, status: int, **extra):
    """The API's error body: {"error": CODE, "message": TEXT, ...}."""
    response = jsonify({"error": code, "message": str(message), **extra})
    response.status_code = status
    return response


def register_errors(app: Flask) -> None:
    """JSON errors under /api/, pages elsewhere; messages in the user's language."""

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        message = _("Your session has expired or the form was forged. Reload the page and retry.")
        if request.path.startswith("/api/"):
            return api_error("csrf_failed", message, 400)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
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
        page = render_template("errors/error.html", status=status, message=message)
        return page, status, headers


def register_template_helpers(app: Flask) -> None:
    """Filters for dates, money and durations, and the globals every page needs."""
    app.jinja_env.filters["local_datetime"] = i18n.format_local_datetime
    app.jinja_env.filters["money"] = i18n.format_money
    app.jinja_env.filters["duration"] = i18n.format_duration_ms
    app.jinja_env.filters["size"] = i18n.format_size
    app.jinja_env.filters["video_length"] = i18n.format_video_length
    app.jinja_env.filters["points"] = i18n.format_points
    app.jinja_env.globals["current_locale_code"] = i18n.current_locale_code
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def inject_globals() -> dict:
        from contest.models import Contest

        return {"current_user": current_user, "site_contest": Contest.current()}


def register_commands(app: Flask) -> None:
    """Add the platform's `flask` commands."""
    from contest.cli import register

    register(app)
