"""What organizers did, by whom and when: the record an appeal is answered from."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.clock import utc_now
from contest.extensions import db
from contest.models.people import User
from contest.models.types import UTCDateTime


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contest_id: Mapped[int | None] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record(
    action: str,
    actor: User | None,
    contest_id: int | None,
    target: str | None,
    now: datetime,
    **details,
) -> AuditEntry:
    """Add an audit entry to the session (the caller commits it with the change it records)."""
    entry = AuditEntry(
        action=action,
        actor=actor,
        contest_id=contest_id,
        target=target,
        details=details,
        at=now,
    )
    db.session.add(entry)
    return entry
