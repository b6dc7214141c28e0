"""best rounds, predictions, snapshot individuals

Each participant's best round becomes a row kept as rounds are graded (filled here from the
graded rounds), the prediction question gets its fields, and approved individual rankings move
from the snapshot's JSON to rows (copied here).

Revision ID: 3a1800a74700
Revises: 10fe866f0c39
Create Date: 2026-12-02 10:12:56.424846

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a1800a74700'
down_revision = '10fe866f0c39'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('predictions',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_predictions_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_predictions_user_id_users')),
    sa.PrimaryKeyConstraint('contest_id', 'user_id', name=op.f('pk_predictions'))
    )
    op.create_table('best_rounds',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('correct_count', sa.Integer(), nullable=False),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_best_rounds_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_best_rounds_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_best_rounds_user_id_users')),
    sa.PrimaryKeyConstraint('contest_id', 'user_id', name=op.f('pk_best_rounds'))
    )
    with op.batch_alter_table('best_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_best_rounds_ranking', ['contest_id', sa.literal_column('correct_count DESC'), 'duration_ms', 'finished_at', 'user_id'], unique=False)

    op.create_table('snapshot_individuals',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=True),
    sa.Column('correct_count', sa.Integer(), nullable=False),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['results_snapshots.id'], name=op.f('fk_snapshot_individuals_snapshot_id_results_snapshots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_snapshot_individuals_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('snapshot_id', 'position', name=op.f('pk_snapshot_individuals'))
    )
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prediction_question', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('prediction_true_value', sa.Integer(), nullable=True))

    op.execute(
        "INSERT INTO best_rounds (contest_id, user_id, attempt_id, correct_count,"
        " question_count, duration_ms, finished_at)"
        " SELECT contest_id, user_id, id, correct_count, question_count, duration_ms, finished_at"
        " FROM (SELECT attempts.*, row_number() OVER (PARTITION BY contest_id, user_id"
        " ORDER BY correct_count DESC, duration_ms, finished_at, id) AS nth FROM attempts"
        " WHERE state IN ('submitted', 'expired')) AS ranked WHERE nth = 1"
    )
    copy_snapshot_individuals()


def utc(moment, sqlite):
    """As the app's UTCDateTime stores it: naive UTC text on SQLite, aware elsewhere."""
    moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None) if sqlite else moment


def copy_snapshot_individuals():
    """Approved rankings kept their individuals in the JSON: copy them to rows."""
    bind = op.get_bind()
    snapshots = sa.table(
        "results_snapshots", sa.column("id"), sa.column("contest_id"), sa.column("content", sa.JSON)
    )
    contests = sa.table("contests", sa.column("id"), sa.column("questions_per_round"))
    sqlite = bind.dialect.name == "sqlite"
    lines = sa.table(
        "snapshot_individuals",
        *(sa.column(name) for name in ("snapshot_id", "position", "rank", "user_id", "full_name",
                                       "unit_name", "correct_count", "question_count",
                                       "duration_ms")),
        sa.column("finished_at", sa.DateTime(timezone=True)),
    )
    query = sa.select(snapshots.c.id, snapshots.c.content, contests.c.questions_per_round).join(
        contests, contests.c.id == snapshots.c.contest_id
    )
    for snapshot_id, content, questions in bind.execute(query):
        rows = [
            {
                "snapshot_id": snapshot_id,
                "position": position,
                "rank": line["rank"],
                "user_id": line["participant_id"],
                "full_name": line["name"],
                "unit_name": line["unit"],
                "correct_count": line["correct"],
                "question_count": questions,  # the JSON did not keep it
                "duration_ms": line["duration_ms"],
                "finished_at": utc(datetime.fromisoformat(line["finished_at"]), sqlite),
            }
            for position, line in enumerate((content or {}).get("individuals", []), 1)
        ]
        if rows:
            bind.execute(lines.insert(), rows)


def downgrade():
    # In place on SQLite, which drops a plain column itself (3.35+): no copy of `contests`.
    with op.batch_alter_table('contests', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('prediction_true_value')
        batch_op.drop_column('prediction_question')

    op.drop_table('snapshot_individuals')
    with op.batch_alter_table('best_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_best_rounds_ranking')

    op.drop_table('best_rounds')
    op.drop_table('predictions')
