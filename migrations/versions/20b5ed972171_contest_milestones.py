"""contest milestones

The moments of a contest's timeline the scheduler has acted on: the results computed at the
close, the publication at the publication time (once each per moment).

Revision ID: 20b5ed972171
Revises: 3a1800a74700
Create Date: 2026-12-02 15:08:24.707181

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20b5ed972171'
down_revision = '3a1800a74700'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contest_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_milestones_contest_id_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_milestones')),
    sa.UniqueConstraint('contest_id', 'kind', 'due_at', name=op.f('uq_contest_milestones_contest_id'))
    )


def downgrade():
    op.drop_table('contest_milestones')
