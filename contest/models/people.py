"""Units, their groups, and the people who use the platform."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
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
    # A deactivated unit takes no new members and is not offered at registration; its people,
    # rounds, videos and results stay. A merged unit is deactivated and names its successor.
    active: Mapped[bool] = mapped_column(default=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[UnitGroup] = relationship(back_populates="units")
    merged_into: Mapped["Unit | None"] = relationship(remote_side=[id])

    @property
    def takes_members(self) -> bool:
        """Whether people may join the unit (registration, imports, an account's new unit)."""
        return self.active


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    unit: Mapped[Unit | None] = relationship()
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.is_active_account

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
