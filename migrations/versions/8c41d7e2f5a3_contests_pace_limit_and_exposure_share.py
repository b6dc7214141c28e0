"""contests: pace limit and exposure share

Two settings of a fair fastest-correct ranking: how many rounds one participant may start in
any hour (null: no limit; existing contests get the default, 6), and the share of the bank one
participant may see before the close beyond which the draw-rules page warns (50 %).

Revision ID: 8c41d7e2f5a3
Revises: a7c3e9d2f416
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c41d7e2f5a3'
down_revision = 'a7c3e9d2f416'
branch_labels = None
depends_on = None


def upgrade():
    # Plain added columns: SQLite adds them in place, so `contests` is not copied.
    with op.batch_alter_table('contests', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('max_starts_per_hour', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('max_exposure_percent', sa.Integer(), server_default='50', nullable=False))
    # No column default for the pace limit (the model sets it for a new contest): the ORM
    # would drop an explicit None (no limit) from an INSERT and store the default instead.
    op.execute("UPDATE contests SET max_starts_per_hour = 6")


def downgrade():
    with op.batch_alter_table('contests', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('max_exposure_percent')
        batch_op.drop_column('max_starts_per_hour')
