"""contest settings and documents

The settings organizers set on their own pages: the authority above the organizer (for
certificates), the rules text, the video forms a contest allows, whether its leaderboard is
public before the quiz closes, the minimum participation for a unit prize; and the documents
attached to a contest (its plan or decision, as PDF in the storage).

Revision ID: 5e1d2c7a9b40
Revises: 5b1e7c9a2d40
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1d2c7a9b40'
down_revision = '5b1e7c9a2d40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contest_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_documents_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_contest_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_documents')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_contest_documents_storage_key'))
    )
    with op.batch_alter_table('contest_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_documents_contest_id'), ['contest_id'], unique=False)

    # Plain added columns: SQLite adds them in place, so `contests` is not copied.
    with op.batch_alter_table('contests', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('authority_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('rules_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('allowed_video_forms', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('leaderboard_public', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('min_participation_percent', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    # In place on SQLite, which drops a plain column itself (3.35+): no copy of `contests`.
    with op.batch_alter_table('contests', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('min_participation_percent')
        batch_op.drop_column('leaderboard_public')
        batch_op.drop_column('allowed_video_forms')
        batch_op.drop_column('rules_text')
        batch_op.drop_column('authority_name')

    with op.batch_alter_table('contest_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contest_documents_contest_id'))

    op.drop_table('contest_documents')
