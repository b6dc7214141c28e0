"""The legal documents the bank rests on: finding them for a question's basis, superseding one
by another (which flags its questions for review), and the review list."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from contest.domain.legal_basis import DocumentRef, LegalBasis
from contest.errors import Refused
from contest.extensions import db
from contest.models import LegalDocument, Question, User
from contest.models.audit import record

# Why a question waits for a person (Question.review_reason).
NO_BASIS = "no_basis"  # no legal document could be read from its citation
DOCUMENT_SUPERSEDED = "document_superseded"  # the document it rests on was superseded
REVIEW_REASONS = {
    NO_BASIS: _l("No legal document could be read from its citation"),
    DOCUMENT_SUPERSEDED: _l("The document it rests on has been superseded"),
}


class LegalDocumentRefused(Refused):
    code, status = "legal_document_refused", 422
    message = _l("This change of the legal documents cannot be saved.")


class DocumentResolver:
    """The legal_documents row of each basis, made when missing; one query for all of them.

    A document already held is completed with what a basis adds (its number, its date, its
    name), never overwritten: the organizers' corrections on the documents page stand.
    """

    def __init__(self) -> None:
        self._held: list[LegalDocument] | None = None

    def document_for(self, ref: DocumentRef) -> LegalDocument:
        held = self._documents()
        found = next((document for document in held if document.ref.is_same_as(ref)), None)
        if found is None:
            found = LegalDocument(
                kind=ref.kind,
                number=ref.number,
                issued_on=ref.issued_on,
                year=ref.year,
                name=ref.name,
            )
            db.session.add(found)
            held.append(found)
        else:
            numbers = {document.number for document in held if document.number}
            if found.number is None and ref.number and ref.number not in numbers:
                found.number = ref.number
            found.issued_on = found.issued_on or ref.issued_on
            found.name = found.name or ref.name
            found.year = found.year or ref.year
        return found

    def basis_values(self, basis: LegalBasis | None) -> dict:
        """The question columns of a basis (the document made or completed, and flushed)."""
        if basis is None:
            return dict.fromkeys(_BASIS_COLUMNS) | {"legal_document_id": None}
        document = self.document_for(basis.document)
        if basis.superseded_by is not None and document.superseded_by is None:
            successor = self.document_for(basis.superseded_by)
            if successor is not document:
                document.superseded_by = successor
        db.session.flush()
        return {
            "legal_document_id": document.id,
            "basis_version": basis.version,
            "basis_article": basis.article,
            "basis_clause": basis.clause,
            "basis_point": basis.point,
            "basis_in_force_from": basis.in_force_from,
            "basis_in_force_until": basis.in_force_until,
        }

    def _documents(self) -> list[LegalDocument]:
        if self._held is None:
            self._held = list(db.session.scalars(select(LegalDocument)))
        return self._held


_BASIS_COLUMNS = (
    "basis_version",
    "basis_article",
    "basis_clause",
    "basis_point",
    "basis_in_force_from",
    "basis_in_force_until",
)


def review_values(basis: LegalBasis | None, now: datetime) -> dict:
    """A question with no legal basis is flagged for review; one with a basis is not."""
    if basis is None:
        return {"review_reason": NO_BASIS, "review_flagged_at": now}
    return {"review_reason": None, "review_flagged_at": None}


def basis_of(question: Question) -> LegalBasis | None:
    """A stored question's basis as plain data (for exports and the lint)."""
    document = question.legal_document
    if document is None:
        return None
    return LegalBasis(
        document=document.ref,
        version=question.basis_version,
        article=question.basis_article,
        clause=question.basis_clause,
        point=question.basis_point,
        in_force_from=question.basis_in_force_from,
        in_force_until=question.basis_in_force_until,
        superseded_by=document.superseded_by.ref if document.superseded_by else None,
    )


@dataclass(frozen=True)
class DocumentRow:
    document: LegalDocument
    questions: int  # current questions resting on it
    to_review: int  # of which flagged for review


def documents_overview() -> list[DocumentRow]:
    """Every legal document with how many current questions rest on it, by kind and number."""
    counts = dict(
        db.session.execute(
            select(Question.legal_document_id, func.count(Question.id))
            .where(Question.is_current_clause())
            .group_by(Question.legal_document_id)
        ).all()
    )
    flagged = dict(
        db.session.execute(
            select(Question.legal_document_id, func.count(Question.id))
            .where(Question.is_current_clause(), Question.review_reason.is_not(None))
            .group_by(Question.legal_document_id)
        ).all()
    )
    documents = db.session.scalars(
        select(LegalDocument)
        .options(selectinload(LegalDocument.superseded_by))
        .order_by(LegalDocument.kind, LegalDocument.year, LegalDocument.number, LegalDocument.id)
    )
    return [
        DocumentRow(document, counts.get(document.id, 0), flagged.get(document.id, 0))
        for document in documents
    ]


def add_document(
    ref: DocumentRef,
    in_force_from: date | None,
    in_force_until: date | None,
    actor: User,
    now: datetime,
) -> LegalDocument:
    """Add a document (a new law that supersedes an old one, say); logged.

    Refused: one already held (same number, or same kind, name and year), or a window that
    ends before it starts.
    """
    if any(document.ref.is_same_as(ref) for document in db.session.scalars(select(LegalDocument))):
        raise LegalDocumentRefused(_l("This document is already on the list."))
    _check_window(in_force_from, in_force_until)
    document = LegalDocument(
        kind=ref.kind,
        number=ref.number,
        issued_on=ref.issued_on,
        year=ref.year,
        name=ref.name,
        in_force_from=in_force_from,
        in_force_until=in_force_until,
    )
    db.session.add(document)
    db.session.flush()
    record(
        "legal_document_added",
        actor,
        None,
        f"legal_document:{document.id}",
        now,
        document=document.label,
        in_force_from=_iso(in_force_from),
        in_force_until=_iso(in_force_until),
    )
    db.session.flush()
    return document


def supersede_document(
    document: LegalDocument, successor: LegalDocument, on: date, actor: User, now: datetime
) -> int:
    """Mark `document` superseded by `successor` from the day `on` (its first day out of force)
    and flag every current question resting on it for review, at once; logged. Return how
    many questions were flagged.

    Refused: a document superseded by itself or by one it supersedes (a loop), or a day before
    the document came into force.
    """
    if successor.id == document.id or _superseded_through(successor, document):
        raise LegalDocumentRefused(
            _l("A document cannot be superseded by itself or by a document it supersedes.")
        )
    if document.in_force_from is not None and on <= document.in_force_from:
        raise LegalDocumentRefused(
            _l(
                "The document came into force on %(day)s: it can only be superseded after.",
                day=f"{document.in_force_from:%d/%m/%Y}",
            )
        )
    before = {
        "superseded_by": _label(document.superseded_by),
        "until": _iso(document.in_force_until),
    }
    document.superseded_by = successor
    document.in_force_until = on
    questions = list(
        db.session.scalars(
            select(Question).where(
                Question.legal_document_id == document.id, Question.is_current_clause()
            )
        )
    )
    for question in questions:
        question.review_reason = DOCUMENT_SUPERSEDED
        question.review_flagged_at = now
    record(
        "legal_document_superseded",
        actor,
        None,
        f"legal_document:{document.id}",
        now,
        document=document.label,
        superseded_by=[before["superseded_by"], successor.label],
        in_force_until=[before["until"], on.isoformat()],
        questions_flagged=len(questions),
    )
    db.session.flush()
    return len(questions)


def _superseded_through(document: LegalDocument, target: LegalDocument) -> bool:
    """Whether `document`'s chain of successors reaches `target` (so `target` supersedes it)."""
    seen: set[int] = set()
    current = document.superseded_by
    while current is not None and current.id not in seen:
        if current.id == target.id:
            return True
        seen.add(current.id)
        current = current.superseded_by
    return False


def review_list() -> list[Question]:
    """The current questions flagged for review, the longest waiting first."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.is_current_clause(), Question.review_reason.is_not(None))
            .options(
                selectinload(Question.legal_document).selectinload(LegalDocument.superseded_by)
            )
            .order_by(Question.review_flagged_at, Question.id)
        )
    )


def mark_reviewed(question: Question, actor: User, now: datetime) -> None:
    """A person has looked at the question again: it leaves the review list; logged."""
    reason = question.review_reason
    question.review_reason = None
    question.review_flagged_at = None
    record("question_reviewed", actor, None, f"question:{question.id}", now, reason=reason)
    db.session.flush()


def count_to_review() -> int:
    return db.session.scalar(
        select(func.count(Question.id)).where(
            Question.is_current_clause(), Question.review_reason.is_not(None)
        )
    )


def _check_window(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end <= start:
        raise LegalDocumentRefused(
            _l("The day it leaves force must come after the day it comes into force.")
        )


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _label(document: LegalDocument | None) -> str | None:
    return None if document is None else document.label
