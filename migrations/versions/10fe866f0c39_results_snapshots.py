"""results snapshots

Revision ID: 10fe866f0c39
Revises: d0785a235714
Create Date: 2026-11-23 18:42:30.125872

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '10fe866f0c39'
down_revision = 'd0785a235714'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('results_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_results_snapshots_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_results_snapshots_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_results_snapshots_revoked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_snapshots'))
    )
    with op.batch_alter_table('results_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_snapshots_contest_id'), ['contest_id'], unique=False)



def downgrade():
    with op.batch_alter_table('results_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_snapshots_contest_id'))

    op.drop_table('results_snapshots')
