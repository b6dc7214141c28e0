"""certificate settings

What a contest's certificates print, in the administrative format of Nghị định 30/2020/NĐ-CP:
the place before the date, the signer's name and title, the number of the decision awarding
the prizes, and whether the prize money is printed (off, as before: existing contests print
no amount from now on unless their organizers ask for it).

Revision ID: 7c3a9e5d2f18
Revises: 5b2e8f1c9a47
Create Date: 2026-12-04 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3a9e5d2f18'
down_revision = '5b2e8f1c9a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('signer_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('signer_title', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('award_decision', sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                'certificate_shows_amount', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('certificate_shows_amount')
        batch_op.drop_column('award_decision')
        batch_op.drop_column('signer_title')
        batch_op.drop_column('signer_name')
        batch_op.drop_column('place_name')
