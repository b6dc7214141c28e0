"""users session version

Each user gets a session version, kept in every session and remember-me cookie at login:
logging out, a password change or reset and a deactivation bump it, which ends them all.
Existing sessions name no version and count as version 0, so the upgrade logs no one out.

Revision ID: 5b2e8f1c9a47
Revises: 5e1d2c7a9b40
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b2e8f1c9a47'
down_revision = '5e1d2c7a9b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
