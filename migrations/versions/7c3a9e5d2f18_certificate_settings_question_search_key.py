"""certificate settings, question search key

What a contest's certificates print, in the administrative format of Nghị định 30/2020/NĐ-CP:
the place before the date, the signer's name and title, the number of the decision awarding
the prizes, and whether the prize money is printed (off: existing contests print no amount
from now on unless their organizers ask for it).

Each question gets its text and citation folded for search (search_key), filled here for the
questions already in the bank.

Revision ID: 7c3a9e5d2f18
Revises: 8c41d7e2f5a3
Create Date: 2026-12-04 21:00:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3a9e5d2f18'
down_revision = '8c41d7e2f5a3'
branch_labels = None
depends_on = None

BATCH = 1000


def search_fold(value):
    """contest.domain.text.search_fold as it stood for this revision (migrations never import
    the app): NFC, whitespace runs made one space, casefold, combining marks dropped, đ as d."""
    text = unicodedata.normalize('NFC', ' '.join((value or '').split())).casefold()
    bare = ''.join(c for c in unicodedata.normalize('NFD', text) if not unicodedata.combining(c))
    return bare.replace('đ', 'd')


def fill_search_keys():
    bind = op.get_bind()
    questions = sa.table('questions', *(sa.column(name) for name in ('id', 'text', 'citation', 'search_key')))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(questions.c.id, questions.c.text, questions.c.citation)
            .where(questions.c.id > last_id)
            .order_by(questions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            questions.update().where(questions.c.id == sa.bindparam('question_id')).values(search_key=sa.bindparam('key')),
            [
                {'question_id': id_, 'key': search_fold(f"{text} {citation or ''}")}
                for id_, text, citation in rows
            ],
        )
        last_id = rows[-1][0]


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
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.Text(), server_default='', nullable=False))
    fill_search_keys()


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('search_key')
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('certificate_shows_amount')
        batch_op.drop_column('award_decision')
        batch_op.drop_column('signer_title')
        batch_op.drop_column('signer_name')
        batch_op.drop_column('place_name')
