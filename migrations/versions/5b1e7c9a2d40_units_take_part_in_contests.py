"""units take part in contests, deactivate and merge

Each contest gets its participating units with its own headcount (contest_units), filled
here for every existing contest from every unit with its current headcount, so the standings
stay what they were. Units can be deactivated, and a merged unit names its successor.

Revision ID: 5b1e7c9a2d40
Revises: df74027ecb4b
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c9a2d40'
down_revision = 'df74027ecb4b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_units_merged_into_id_units'), 'units', ['merged_into_id'], ['id'])

    op.create_table('contest_units',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.CheckConstraint('headcount >= 0', name=op.f('ck_contest_units_non_negative_headcount')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_units_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_contest_units_unit_id_units')),
    sa.PrimaryKeyConstraint('contest_id', 'unit_id', name=op.f('pk_contest_units'))
    )
    with op.batch_alter_table('contest_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_units_unit_id'), ['unit_id'], unique=False)

    # Every unit took part in every contest until now, each with its one headcount.
    op.execute(
        "INSERT INTO contest_units (contest_id, unit_id, headcount)"
        " SELECT contests.id, units.id, units.headcount FROM contests CROSS JOIN units"
    )


def downgrade():
    with op.batch_alter_table('contest_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contest_units_unit_id'))

    op.drop_table('contest_units')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_units_merged_into_id_units'), type_='foreignkey')
        batch_op.drop_column('merged_at')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('active')
