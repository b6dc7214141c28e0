"""The legal documents the question bank rests on (site-wide, like the bank itself)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.clock import utc_now
from contest.domain.legal_basis import DocumentRef, Window
from contest.extensions import db
from contest.models.types import UTCDateTime


class LegalDocument(db.Model):
    """A law, decree, decision or directive, with the days it is in force.

    `in_force_until` is the first day it no longer applies; a document superseded by another
    names it, and the questions resting on it are flagged for review (questions.legal).
    """

    __tablename__ = "legal_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # 22/2008/QH12. Not unique: a number without its year (10/CT-TTg) recurs across years,
    # and a document may lack one ("Luật Viên chức 2010"); DocumentRef.is_same_as decides.
    number: Mapped[str | None] = mapped_column(String(60), index=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column()
    name: Mapped[str | None] = mapped_column(String(300))
    in_force_from: Mapped[date | None] = mapped_column(Date)
    in_force_until: Mapped[date | None] = mapped_column(Date)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("legal_documents.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    superseded_by: Mapped["LegalDocument | None"] = relationship(remote_side=[id])

    @property
    def ref(self) -> DocumentRef:
        return DocumentRef(self.kind, self.number, self.issued_on, self.name, self.year)

    @property
    def label(self) -> str:
        return self.ref.label

    @property
    def window(self) -> Window:
        return Window(self.in_force_from, self.in_force_until)
