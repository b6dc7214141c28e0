"""people: search key, optional phone, password change at next login, credential handoffs

Each user gets a folded search key (name, username, phone, email without case or diacritics),
filled here for the existing accounts and kept by the model afterwards; the phone becomes
optional (still unique when given: a unique constraint admits any number of NULLs); a reset
password can be marked to be changed at the next login; generated passwords wait, encrypted,
in credential_handoffs until their one download.

Revision ID: df74027ecb4b
Revises: 7339d1ac3416
Create Date: 2026-12-05 10:00:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df74027ecb4b'
down_revision = '7339d1ac3416'
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
    users = sa.table(
        'users', *(sa.column(name) for name in ('id', 'full_name', 'username', 'phone', 'email', 'search_key'))
    )
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(users.c.id, users.c.full_name, users.c.username, users.c.phone, users.c.email)
            .where(users.c.id > last_id)
            .order_by(users.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            users.update().where(users.c.id == sa.bindparam('user_id')).values(search_key=sa.bindparam('key')),
            [
                {'user_id': id_, 'key': search_fold(' '.join(p for p in parts if p))[:400]}
                for id_, *parts in rows
            ],
        )
        last_id = rows[-1][0]


def upgrade():
    op.create_table('credential_handoffs',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_credential_handoffs_created_by_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_credential_handoffs'))
    )
    with op.batch_alter_table('credential_handoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_handoffs_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('search_key', sa.String(length=400), nullable=False, server_default=''))
        batch_op.alter_column('phone', existing_type=sa.String(length=20), nullable=True)

    fill_search_keys()
    # After the fill: one index build instead of an entry moved for every row updated.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_search_key'), ['search_key'], unique=False)


def downgrade():
    bind = op.get_bind()
    without_phone = bind.execute(sa.text('SELECT count(*) FROM users WHERE phone IS NULL')).scalar_one()
    if without_phone:
        raise RuntimeError(
            f'{without_phone} accounts have no phone number, which the older schema requires: '
            'give them one (or delete them) before downgrading.'
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_search_key'))
        batch_op.alter_column('phone', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column('search_key')
        batch_op.drop_column('must_change_password')

    with op.batch_alter_table('credential_handoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_handoffs_created_at'))

    op.drop_table('credential_handoffs')
