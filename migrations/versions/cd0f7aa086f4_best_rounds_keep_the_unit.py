"""best rounds keep the unit

Each best round keeps its participant's unit (copied here from users), so the unit tallies
read one index of best_rounds instead of joining every participant.

Revision ID: cd0f7aa086f4
Revises: 20b5ed972171
Create Date: 2026-12-02 15:08:51.075957

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cd0f7aa086f4'
down_revision = '20b5ed972171'
branch_labels = None
depends_on = None


# On SQLite both directions rebuild best_rounds (a table copy): no table refers to it, so
# unlike contests in 3a1800a74700 the rebuild cascades to nothing.


def restore_ranking_index():
    """SQLite's table copy makes the indexes again from what it reflects, which loses the DESC
    of the ranking's index (every leaderboard would then sort every row): made again as
    3a1800a74700 made it."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.drop_index('ix_best_rounds_ranking', table_name='best_rounds')
    op.create_index('ix_best_rounds_ranking', 'best_rounds', ['contest_id', sa.literal_column('correct_count DESC'), 'duration_ms', 'finished_at', 'user_id'], unique=False)


def upgrade():
    with op.batch_alter_table('best_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_best_rounds_unit_id_units'), 'units', ['unit_id'], ['id'])
    restore_ranking_index()

    op.execute(
        "UPDATE best_rounds SET unit_id ="
        " (SELECT users.unit_id FROM users WHERE users.id = best_rounds.user_id)"
    )
    # After the copy: one index build instead of an entry moved for every row updated.
    with op.batch_alter_table('best_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_best_rounds_unit_tally', ['contest_id', 'unit_id', 'correct_count', 'question_count'], unique=False)


def downgrade():
    with op.batch_alter_table('best_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_best_rounds_unit_tally')
        batch_op.drop_constraint(batch_op.f('fk_best_rounds_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('unit_id')
    restore_ranking_index()
