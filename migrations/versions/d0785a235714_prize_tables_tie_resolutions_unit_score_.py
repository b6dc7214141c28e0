"""prize tables, tie resolutions, unit score weights

Revision ID: d0785a235714
Revises: c445078d3070
Create Date: 2026-11-23 18:33:09.480681

"""
from alembic import op
import sqlalchemy as sa

# A copy, not an import: a migration must keep meaning what it meant when it was written.
SEED_PRIZE_TABLE = (
    ("unit", "Giải Nhất", 1, 10_000_000, 1),
    ("unit", "Giải Nhì", 2, 7_000_000, 2),
    ("unit", "Giải Ba", 3, 5_000_000, 3),
    ("unit", "Giải Khuyến khích", 4, 3_000_000, 4),
    ("video", "Giải video", 10, 500_000, 1),
    ("individual", "Giải cá nhân", 10, 500_000, 1),
)


# revision identifiers, used by Alembic.
revision = 'd0785a235714'
down_revision = 'c445078d3070'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('prize_tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prize_count', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_prize_tiers_non_negative_amount')),
    sa.CheckConstraint('prize_count > 0', name=op.f('ck_prize_tiers_positive_count')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_prize_tiers_contest_id_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prize_tiers')),
    sa.UniqueConstraint('contest_id', 'category', 'position', name=op.f('uq_prize_tiers_contest_id'))
    )
    op.create_table('tie_resolutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('tie_id', sa.String(length=40), nullable=False),
    sa.Column('member_order', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_tie_resolutions_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_tie_resolutions_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tie_resolutions')),
    sa.UniqueConstraint('contest_id', 'tie_id', name=op.f('uq_tie_resolutions_contest_id'))
    )
    with op.batch_alter_table('contests', schema=None) as batch_op:
        # Server defaults give contests that already exist the documented defaults.
        batch_op.add_column(sa.Column('weight_participation', sa.Integer(), nullable=False, server_default="30"))
        batch_op.add_column(sa.Column('weight_accuracy', sa.Integer(), nullable=False, server_default="30"))
        batch_op.add_column(sa.Column('weight_video', sa.Integer(), nullable=False, server_default="40"))
        batch_op.add_column(sa.Column('unit_prize_requires_video', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('max_individual_prizes_per_unit', sa.Integer(), nullable=True))



    # Contests that already exist get the seed plan's prize table, as new ones do.
    contests = op.get_bind().execute(sa.text("SELECT id FROM contests")).scalars().all()
    tiers = sa.table(
        "prize_tiers",
        sa.column("contest_id", sa.Integer),
        sa.column("category", sa.String),
        sa.column("name", sa.String),
        sa.column("prize_count", sa.Integer),
        sa.column("amount", sa.BigInteger),
        sa.column("position", sa.Integer),
    )
    if contests:
        op.bulk_insert(
            tiers,
            [
                {"contest_id": contest_id, "category": category, "name": name, "prize_count": count, "amount": amount, "position": position}
                for contest_id in contests
                for category, name, count, amount, position in SEED_PRIZE_TABLE
            ],
        )


def downgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('max_individual_prizes_per_unit')
        batch_op.drop_column('unit_prize_requires_video')
        batch_op.drop_column('weight_video')
        batch_op.drop_column('weight_accuracy')
        batch_op.drop_column('weight_participation')

    op.drop_table('tie_resolutions')
    op.drop_table('prize_tiers')
