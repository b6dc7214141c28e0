"""plausibility of rounds and the review queue

Each answer keeps its first save besides its last; each round keeps its device cookie and
client address; each contest its plausibility thresholds (the defaults of
contest.domain.plausibility). Flagged rounds get a row of round_reviews with their evidence and
the organizers' decision; excluded_participants lists those excluded from a contest. Rounds
graded before keep no flags: nothing is assessed backwards.

Revision ID: 92ac48199c6b
Revises: 7c3e1b5a9d21
Create Date: 2026-12-04 22:00:34.879455

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '92ac48199c6b'
down_revision = '7c3e1b5a9d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('excluded_participants',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_excluded_participants_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_excluded_participants_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_excluded_participants_user_id_users')),
    sa.PrimaryKeyConstraint('contest_id', 'user_id', name=op.f('pk_excluded_participants'))
    )
    op.create_table('round_reviews',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.Enum('pending', 'accepted', 'excluded', name='reviewdecision', native_enum=False), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_round_reviews_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_round_reviews_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_round_reviews_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_round_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('attempt_id', name=op.f('pk_round_reviews'))
    )
    with op.batch_alter_table('round_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_round_reviews_queue', ['contest_id', 'decision'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_reviews_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_saved_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('client_address', sa.String(length=45), nullable=True))
        batch_op.create_index('ix_attempts_address_started', ['client_address', 'started_at'], unique=False)
        batch_op.create_index('ix_attempts_contest_device', ['contest_id', 'device_id'], unique=False)

    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('floor_reading_chars_per_second', sa.Integer(), server_default='80', nullable=False))
        batch_op.add_column(sa.Column('floor_motor_ms', sa.Integer(), server_default='300', nullable=False))
        batch_op.add_column(sa.Column('flag_regular_cv_percent', sa.Integer(), server_default='10', nullable=False))
        batch_op.add_column(sa.Column('flag_device_accounts', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('flag_address_rounds', sa.Integer(), server_default='30', nullable=False))


def downgrade():
    # In place on SQLite, which drops a plain column itself (3.35+): no copy of `contests`,
    # `attempts` or `answers`, which other tables refer to.
    with op.batch_alter_table('contests', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('flag_address_rounds')
        batch_op.drop_column('flag_device_accounts')
        batch_op.drop_column('flag_regular_cv_percent')
        batch_op.drop_column('floor_motor_ms')
        batch_op.drop_column('floor_reading_chars_per_second')

    with op.batch_alter_table('attempts', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_attempts_contest_device')
        batch_op.drop_index('ix_attempts_address_started')
        batch_op.drop_column('client_address')
        batch_op.drop_column('device_id')

    with op.batch_alter_table('answers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('first_saved_at')

    with op.batch_alter_table('round_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_reviews_user_id'))
        batch_op.drop_index('ix_round_reviews_queue')
    op.drop_table('round_reviews')
    op.drop_table('excluded_participants')
