"""Settings read from the environment, with the documented defaults (see README, Configuration)."""

import os
import secrets
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


class ConfigurationError(RuntimeError):
    """The environment does not describe a platform that can start safely."""


def env_flag(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable: 1/true/yes/on are true."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def invoked_as_demo_command() -> bool:
    """Whether this process is `flask ... demo`: the app is built before the command runs."""
    program = Path(sys.argv[0])
    is_flask = program.name == "flask" or program.parent.name == "flask"  # or python -m flask
    return is_flask and "demo" in sys.argv[1:]


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables."""
    instance = Path(instance_path)
    demo = env_flag("DEMO") or invoked_as_demo_command()
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'contest.db'}"
        ),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh"),
        "DEMO": demo,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_flag("SESSION_COOKIE_SECURE"),
        # The remember-me cookie follows the session cookie (setup.configure): it logs in too.
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "LOGIN_RATE_LIMIT_PER_ADDRESS": os.environ.get(
            "LOGIN_RATE_LIMIT_PER_ADDRESS", "600 per minute"
        ),
        "QUIZ_API_RATE_LIMIT": os.environ.get("QUIZ_API_RATE_LIMIT", "240 per minute"),
        # Accounts created per client address and per unit chosen (README, Registration).
        "REGISTER_RATE_LIMIT_PER_ADDRESS": os.environ.get(
            "REGISTER_RATE_LIMIT_PER_ADDRESS", "30 per hour;200 per day"
        ),
        "REGISTER_RATE_LIMIT_PER_UNIT": os.environ.get(
            "REGISTER_RATE_LIMIT_PER_UNIT", "20 per hour;100 per day"
        ),
        # Forgotten-password requests per account typed and per client address.
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour"),
        "PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS": os.environ.get(
            "PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS", "60 per hour"
        ),
        # Outgoing mail (password reset links); no MAIL_SERVER: no mail is sent.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": env_int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": env_flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": env_flag("MAIL_USE_SSL"),
        "MAIL_FROM": os.environ.get("MAIL_FROM") or "no-reply@localhost",
        "MAIL_TIMEOUT": env_int("MAIL_TIMEOUT", 10),
        # The site's public address for links in mails; else the request's own host.
        "SITE_URL": (os.environ.get("SITE_URL") or "").rstrip("/") or None,
        "RATELIMIT_ENABLED": env_flag("RATELIMIT_ENABLED", default=True),
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024),
        "MEDIA_DIR": os.environ.get("MEDIA_DIR") or str(instance / "media"),
        "S3_BUCKET": os.environ.get("S3_BUCKET") or None,
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "S3_REGION": os.environ.get("S3_REGION") or None,
        "S3_PRESIGN_SECONDS": env_int("S3_PRESIGN_SECONDS", 900),
        "VIDEO_PART_SIZE": env_int("VIDEO_PART_SIZE", 8 * 1024 * 1024),
        "VIDEO_PROCESSING": os.environ.get("VIDEO_PROCESSING", "thread"),
        # PostgreSQL connections per process, and how long a request waits for the database
        # (README, Scaling out): past these the request fails with a 503, never hangs.
        "DATABASE_POOL_SIZE": env_int("DATABASE_POOL_SIZE", 8),
        "DATABASE_MAX_OVERFLOW": env_int("DATABASE_MAX_OVERFLOW", 4),
        "DATABASE_POOL_TIMEOUT": env_int("DATABASE_POOL_TIMEOUT", 10),
        "DATABASE_TIMEOUT": env_int("DATABASE_TIMEOUT", 5),
        # The scheduler's lease: a stopped or cut-off scheduler is replaced within this time.
        "SCHEDULER_LEASE_SECONDS": env_int("SCHEDULER_LEASE_SECONDS", 60),
        "APP_VERSION": os.environ.get("APP_VERSION") or project_version(),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh"),
    }


def resolve_secret_key(config: dict, instance_path: str, debug: bool) -> str:
    """Return the secret key, generating one into instance/ outside production."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if not (config.get("DEMO") or config.get("TESTING") or debug):
        raise ConfigurationError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or start the demo with `make demo`."
        )
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None


def project_version() -> str:
    """The version in pyproject.toml (an image built from a release sets APP_VERSION instead)."""
    try:
        with PYPROJECT.open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
