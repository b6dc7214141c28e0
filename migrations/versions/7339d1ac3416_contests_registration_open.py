"""contests: registration_open

Whether a contest lets people register themselves (true for every existing contest); the site's
registration is open while an open or upcoming contest allows it (contest.auth.services).

Revision ID: 7339d1ac3416
Revises: cd0f7aa086f4
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7339d1ac3416'
down_revision = 'cd0f7aa086f4'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on SQLite too: no copy of `contests`, which other tables refer to.
    with op.batch_alter_table('contests', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('registration_open', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    # In place on SQLite, which drops a plain column itself (3.35+).
    with op.batch_alter_table('contests', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('registration_open')
