"""question versions, fingerprints and draw quotas

Revision ID: c9d574bf8bc5
Revises: 8343e30270c0
Create Date: 2026-11-23 14:52:51.508088

"""

import sqlalchemy as sa
from alembic import op

from contest.domain.question_files.validation import fingerprint

# revision identifiers, used by Alembic.
revision = "c9d574bf8bc5"
down_revision = "8343e30270c0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "draw_quotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=120), nullable=True),
        sa.Column("difficulty", sa.String(length=20), nullable=True),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(topic IS NULL) <> (difficulty IS NULL)",
            name=op.f("ck_draw_quotas_topic_or_difficulty"),
        ),
        sa.CheckConstraint("question_count > 0", name=op.f("ck_draw_quotas_positive_count")),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contests.id"],
            name=op.f("fk_draw_quotas_contest_id_contests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw_quotas")),
    )
    with op.batch_alter_table("draw_quotas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draw_quotas_contest_id"), ["contest_id"], unique=False)

    # Added nullable, filled from the existing rows, then made NOT NULL.
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    questions = sa.table(
        "questions",
        sa.column("id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("fingerprint", sa.String),
    )
    rows = connection.execute(sa.select(questions.c.id, questions.c.text)).all()
    if rows:
        connection.execute(
            questions.update()
            .where(questions.c.id == sa.bindparam("question_id"))
            .values(fingerprint=sa.bindparam("question_fingerprint")),
            [{"question_id": id_, "question_fingerprint": fingerprint(text)} for id_, text in rows],
        )
    op.execute("UPDATE questions SET version = 1, updated_at = created_at")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.alter_column("fingerprint", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index(batch_op.f("ix_questions_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(batch_op.f("ix_questions_replaces_id"), ["replaces_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_questions_replaces_id_questions"), "questions", ["replaces_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_questions_replaces_id_questions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_questions_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_questions_fingerprint"))
        batch_op.drop_column("updated_at")
        batch_op.drop_column("superseded_at")
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("version")
        batch_op.drop_column("fingerprint")
    with op.batch_alter_table("draw_quotas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draw_quotas_contest_id"))
    op.drop_table("draw_quotas")
