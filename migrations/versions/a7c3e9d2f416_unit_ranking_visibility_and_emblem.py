"""unit ranking visibility and contest emblem

A contest may show its unit ranking before the results are published (off, as before), and
may carry an emblem image for the top bar of its pages (none, as before).

Revision ID: a7c3e9d2f416
Revises: 5b2e8f1c9a47
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d2f416'
down_revision = '5b2e8f1c9a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_ranking_public', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('emblem_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('emblem_type', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('emblem_type')
        batch_op.drop_column('emblem_key')
        batch_op.drop_column('unit_ranking_public')
