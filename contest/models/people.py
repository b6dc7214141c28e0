"""Units, their groups, and the people who use the platform."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from contest.clock import utc_now
from contest.domain.text import search_fold
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
    # Optional (an organizer made from the command line may have none), unique when given:
    # a unique constraint lets any number of NULLs through on SQLite and PostgreSQL alike.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    username: Mapped[str | None] = mapped_column(String(40), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    position: Mapped[str | None] = mapped_column(String(120))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Set by a password reset: the one-time password must be replaced at the next login.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Name, username, phone and email folded for search (search_fold), kept by _keep_search_key;
    # a search walks this column's index in its order and stops at a page's worth of matches.
    search_key: Mapped[str] = mapped_column(String(400), index=True, default="")
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

    def set_password(self, password: str, must_change: bool = False) -> None:
        """Set the password; `must_change` for a one-time password, which any later one clears.
        A password that replaces another ends every session."""
        if self.password_hash:
            self.revoke_sessions()
        self.password_hash = generate_password_hash(password)
        self.must_change_password = must_change

    def is_plain_participant(self) -> bool:
        """A participant and nothing more: the accounts a unit admin looks after."""
        return self.roles == {Role.PARTICIPANT}

    def can_manage_password_of(self, other: "User") -> bool:
        """Organizers reset anyone's password; a unit admin only their own unit's participants."""
        if self.has_role(Role.ORGANIZER):
            return True
        return (
            self.has_role(Role.UNIT_ADMIN)
            and self.unit_id is not None
            and other.unit_id == self.unit_id
            and other.id != self.id
            and other.is_plain_participant()
        )

    def compute_search_key(self) -> str:
        """What a search matches: the folded name first (the list's order), then the logins."""
        parts = (self.full_name, self.username, self.phone, self.email)
        return search_fold(" ".join(part for part in parts if part))[:400]

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(value_enum(Role))

    user: Mapped[User] = relationship(back_populates="role_rows")


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_search_key(mapper, connection, user: User) -> None:
    """Every insert and update through the ORM refreshes the search key in the same statement."""
    user.search_key = user.compute_search_key()


class CredentialHandoff(db.Model):
    """Generated passwords waiting for their one download, encrypted.

    The key is never stored here: it lives in the session of the organizer who imported, so
    these rows alone reveal nothing. The download deletes the row; old ones are swept.
    """

    __tablename__ = "credential_handoffs"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
