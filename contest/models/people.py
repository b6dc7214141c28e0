"""Units, their groups, and the people who use the platform."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from contest.clock import utc_now
from contest.extensions import db
from contest.models.types import UTCDateTime, value_enum


class Role(enum.Enum):
    PARTICIPANT = "participant"
    UNIT_ADMIN = "unit_admin"
    JUDGE = "judge"
    ORGANIZER = "organizer"


class UnitGroup(db.Model):
    __tablename__ = "unit_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    units: Mapped[list["Unit"]] = relationship(back_populates="group", order_by="Unit.position")


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int] = mapped_column(ForeignKey("unit_groups.id"), index=True)
    headcount: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    group: Mapped[UnitGroup] = relationship(back_populates="units")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    username: Mapped[str | None] = mapped_column(String(40), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    position: Mapped[str | None] = mapped_column(String(120))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Kept in every session and remember-me cookie at login; bumping it ends them all.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    unit: Mapped[Unit | None] = relationship()
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def get_id(self) -> str:
        """Flask-Login's id for the session and the remember-me cookie: "id:session_version".

        A cookie made before the last revoke_sessions() names an older version, and the user
        loader refuses it (see contest.auth.sessions).
        """
        return f"{self.id}:{self.session_version or 0}"

    def revoke_sessions(self) -> None:
        """End every session of this user: cookies, copies of them and remember-me cookies."""
        self.session_version = (self.session_version or 0) + 1

    @validates("is_active_account")
    def _revoke_on_deactivation(self, key: str, active: bool) -> bool:
        # Deactivating ends the sessions, so reactivating later does not revive them.
        if not active and self.is_active_account:
            self.revoke_sessions()
        return active

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds any of the given roles."""
        return bool(self.roles.intersection(roles))

    def grant(self, role: Role) -> None:
        """Give the user a role (idempotent)."""
        if role not in self.roles:
            self.role_rows.append(UserRole(role=role))

    def set_password(self, password: str) -> None:
        """Set a new password; a password that replaces another ends every session."""
        if self.password_hash:
            self.revoke_sessions()
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(value_enum(Role))

    user: Mapped[User] = relationship(back_populates="role_rows")
