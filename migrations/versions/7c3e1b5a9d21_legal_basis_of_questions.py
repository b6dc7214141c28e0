"""legal basis of questions, legal documents, a reference date per contest

The legal documents the bank rests on get a table; each question records its basis (the
document, the version followed, article, clause and point, the days in force, where the text
was read) and whether a person must review it; each contest gets a reference date (None: the
day its quiz opens) and the choice to draw questions out of force.

The upgrade keeps every question: the basis is read from its citation by the parser of
contest.domain.legal_basis where it can be, and the question is flagged for review
("no_basis") where it cannot. The downgrade drops the new table and columns.

Revision ID: 7c3e1b5a9d21
Revises: 7c3a9e5d2f18
Create Date: 2026-12-04 09:00:00.000000

"""
from dataclasses import replace
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

from contest.domain.legal_basis import parse_citation
from contest.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '7c3e1b5a9d21'
down_revision = '7c3a9e5d2f18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'legal_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=300), nullable=True),
        sa.Column('in_force_from', sa.Date(), nullable=True),
        sa.Column('in_force_until', sa.Date(), nullable=True),
        sa.Column('superseded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['superseded_by_id'], ['legal_documents.id'],
            name=op.f('fk_legal_documents_superseded_by_id_legal_documents'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_documents')),
    )
    op.create_index(op.f('ix_legal_documents_number'), 'legal_documents', ['number'], unique=False)
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('basis_version', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('basis_article', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('basis_clause', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('basis_point', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('basis_in_force_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('basis_in_force_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('source_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('review_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('review_flagged_at', UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_questions_legal_document_id'), ['legal_document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_review_reason'), ['review_reason'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_questions_legal_document_id_legal_documents'),
            'legal_documents', ['legal_document_id'], ['id'],
        )
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_date', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('draws_out_of_force', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _read_the_citations()


def _read_the_citations():
    """Every question's basis from its citation; a question with none readable is flagged."""
    connection = op.get_bind()
    now = datetime.now(UTC)
    questions = sa.table(
        'questions', sa.column('id'), sa.column('citation'), sa.column('legal_document_id'),
        sa.column('basis_version'), sa.column('basis_article'), sa.column('basis_clause'),
        sa.column('basis_point'), sa.column('review_reason'),
        sa.column('review_flagged_at', UTCDateTime()),
    )
    documents = sa.table(
        'legal_documents', sa.column('id'), sa.column('kind'), sa.column('number'),
        sa.column('issued_on', sa.Date()), sa.column('year'), sa.column('name'),
        sa.column('created_at', UTCDateTime()),
    )
    known = []  # (DocumentRef, id), in the order they were made
    rows = connection.execute(sa.select(questions.c.id, questions.c.citation)).all()
    for question_id, citation in rows:
        basis = parse_citation(citation)
        if basis is None:
            connection.execute(
                questions.update().where(questions.c.id == question_id)
                .values(review_reason='no_basis', review_flagged_at=now)
            )
            continue
        ref = basis.document
        found = next((pair for pair in known if pair[0].is_same_as(ref)), None)
        if found is None:
            document_id = connection.execute(
                documents.insert().returning(documents.c.id).values(
                    kind=ref.kind, number=ref.number, issued_on=ref.issued_on, year=ref.year,
                    name=ref.name, created_at=now,
                )
            ).scalar_one()
            known.append((ref, document_id))
        else:
            document_id = found[1]
            _complete(connection, documents, found[0], ref, document_id, known)
        connection.execute(
            questions.update().where(questions.c.id == question_id).values(
                legal_document_id=document_id, basis_version=basis.version,
                basis_article=basis.article, basis_clause=basis.clause, basis_point=basis.point,
            )
        )


def _complete(connection, documents, held, ref, document_id, known):
    """A later citation may name what an earlier one left out (its number, its date)."""
    values = {}
    numbers = {r.number for r, _ in known if r.number}
    if held.number is None and ref.number is not None and ref.number not in numbers:
        values['number'] = ref.number
    if held.issued_on is None and ref.issued_on is not None:
        values['issued_on'] = ref.issued_on
    if held.name is None and ref.name is not None:
        values['name'] = ref.name
    if values:
        connection.execute(
            documents.update().where(documents.c.id == document_id).values(**values)
        )
        merged = replace(held, **values)
        known[:] = [(merged if i == document_id else r, i) for r, i in known]


def downgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('draws_out_of_force')
        batch_op.drop_column('reference_date')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_questions_legal_document_id_legal_documents'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_questions_review_reason'))
        batch_op.drop_index(batch_op.f('ix_questions_legal_document_id'))
        batch_op.drop_column('review_flagged_at')
        batch_op.drop_column('review_reason')
        batch_op.drop_column('source_note')
        batch_op.drop_column('basis_in_force_until')
        batch_op.drop_column('basis_in_force_from')
        batch_op.drop_column('basis_point')
        batch_op.drop_column('basis_clause')
        batch_op.drop_column('basis_article')
        batch_op.drop_column('basis_version')
        batch_op.drop_column('legal_document_id')
    op.drop_index(op.f('ix_legal_documents_number'), table_name='legal_documents')
    op.drop_table('legal_documents')
