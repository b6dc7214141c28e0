"""Unbound extension instances; create_app binds them to the application."""

from flask import request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base with named constraints, so Alembic can alter them on every database."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def user_or_address() -> str:
    """Rate-limit key: the logged-in user, else the client address (a unit shares one NAT).

    Read from the session, not current_user, so that limiting a request loads no user.
    """
    # The id without its session version: logging out and in again must not reset a limit.
    user_id = str(session.get("_user_id") or "").partition(":")[0]
    return f"user:{user_id}" if user_id else f"addr:{request.remote_addr}"


# Each request commits once at its end; reloading every object after that would be waste.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=user_or_address)
babel = Babel()
