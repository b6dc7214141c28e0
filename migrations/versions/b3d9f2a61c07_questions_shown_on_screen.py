"""questions shown on the participant's screen

Each served question keeps when the client first reported it on the participant's screen
(served_questions.shown_at); each contest the number of answers to questions never shown that
flag a round (contests.flag_unshown_answers, 0: off). Rounds served before this revision showed
every question at once at their start, so their questions are taken as shown at the start: a
round in progress during the upgrade is not flagged for reports its page could not send.

Revision ID: b3d9f2a61c07
Revises: 92ac48199c6b
Create Date: 2026-12-05 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d9f2a61c07'
down_revision = '92ac48199c6b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('served_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE served_questions SET shown_at = "
        "(SELECT attempts.started_at FROM attempts WHERE attempts.id = served_questions.attempt_id)"
    )
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('flag_unshown_answers', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('flag_unshown_answers')
    with op.batch_alter_table('served_questions', schema=None) as batch_op:
        batch_op.drop_column('shown_at')
