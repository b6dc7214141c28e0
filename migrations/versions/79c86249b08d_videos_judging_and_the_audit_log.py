"""videos, judging and the audit log

Revision ID: 79c86249b08d
Revises: c9d574bf8bc5
Create Date: 2026-11-23 17:08:20.268950

"""
from alembic import op
import sqlalchemy as sa

# A copy, not an import: a migration must keep meaning what it meant when it was written.
DEFAULT_RUBRIC = (
    ("Nội dung", 40, "Bám sát chủ đề cải cách hành chính, thông tin chính xác."),
    ("Sáng tạo", 30, "Ý tưởng mới, cách thể hiện độc đáo, cuốn hút."),
    ("Kỹ thuật", 20, "Hình ảnh, âm thanh, dựng phim, phụ đề."),
    ("Thông điệp", 10, "Thông điệp rõ ràng, dễ nhớ, lan tỏa."),
)


# revision identifiers, used by Alembic.
revision = '79c86249b08d'
down_revision = 'c9d574bf8bc5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rubric_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('max_points', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('max_points > 0', name=op.f('ck_rubric_criteria_positive_max_points')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_rubric_criteria_contest_id_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_criteria'))
    )
    with op.batch_alter_table('rubric_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_criteria_contest_id'), ['contest_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('contest_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_audit_entries_contest_id_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_contest_id'), ['contest_id'], unique=False)

    op.create_table('videos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('form', sa.Enum('song', 'musical_drama', 'stage', 'narration', 'other', name='videoform', native_enum=False), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('part_size', sa.BigInteger(), nullable=False),
    sa.Column('upload_id', sa.String(length=1024), nullable=True),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('playback_key', sa.String(length=200), nullable=True),
    sa.Column('thumbnail_key', sa.String(length=200), nullable=True),
    sa.Column('state', sa.Enum('uploading', 'received', 'processing', 'ready', 'failed', 'rejected', 'withdrawn', name='videostate', native_enum=False), nullable=False),
    sa.Column('failure_code', sa.String(length=40), nullable=True),
    sa.Column('failure_detail', sa.Text(), nullable=True),
    sa.Column('container', sa.String(length=20), nullable=True),
    sa.Column('duration_seconds', sa.Double(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('video_codec', sa.String(length=40), nullable=True),
    sa.Column('audio_codec', sa.String(length=40), nullable=True),
    sa.Column('transcoded', sa.Boolean(), nullable=False),
    sa.Column('processing_attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processing_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_videos_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaces_id'], ['videos.id'], name=op.f('fk_videos_replaces_id_videos')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_videos_unit_id_units')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_videos_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_videos')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_videos_storage_key')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.create_index('ix_videos_contest_unit_state', ['contest_id', 'unit_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_videos_replaces_id'), ['replaces_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_videos_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_videos_unit_id'), ['unit_id'], unique=False)

    op.create_table('judge_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_judge_assignments_judge_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_judge_assignments_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judge_assignments')),
    sa.UniqueConstraint('judge_id', 'video_id', name=op.f('uq_judge_assignments_judge_id'))
    )
    with op.batch_alter_table('judge_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judge_assignments_video_id'), ['video_id'], unique=False)

    op.create_table('scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'conflict', name='scorestate', native_enum=False), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('total', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_scores_judge_id_users')),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_scores_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scores')),
    sa.UniqueConstraint('video_id', 'judge_id', name=op.f('uq_scores_video_id'))
    )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scores_judge_id'), ['judge_id'], unique=False)

    op.create_table('score_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('score_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.CheckConstraint('points >= 0', name=op.f('ck_score_items_non_negative_points')),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criteria.id'], name=op.f('fk_score_items_criterion_id_rubric_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['score_id'], ['scores.id'], name=op.f('fk_score_items_score_id_scores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_items')),
    sa.UniqueConstraint('score_id', 'criterion_id', name=op.f('uq_score_items_score_id'))
    )
    with op.batch_alter_table('score_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_items_criterion_id'), ['criterion_id'], unique=False)

    with op.batch_alter_table('contests', schema=None) as batch_op:
        # Server defaults give contests that already exist the documented defaults.
        batch_op.add_column(sa.Column('max_videos_per_unit', sa.Integer(), nullable=False, server_default="2"))
        batch_op.add_column(sa.Column('video_max_bytes', sa.BigInteger(), nullable=False, server_default=str(1024**3)))
        batch_op.add_column(sa.Column('video_max_duration_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('judging_blind', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('score_aggregation', sa.Enum('mean', 'trimmed_mean', 'zscore', name='aggregation', native_enum=False), nullable=False, server_default="mean"))
        batch_op.add_column(sa.Column('video_gallery_public', sa.Boolean(), nullable=False, server_default=sa.false()))

    # Contests that already exist get the seed plan's rubric, as new ones do.
    contests = op.get_bind().execute(sa.text("SELECT id FROM contests")).scalars().all()
    rubric = sa.table(
        "rubric_criteria",
        sa.column("contest_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("max_points", sa.Numeric),
        sa.column("guidance", sa.Text),
        sa.column("position", sa.Integer),
    )
    if contests:
        op.bulk_insert(
            rubric,
            [
                {"contest_id": contest_id, "name": name, "max_points": points, "guidance": guidance, "position": position}
                for contest_id in contests
                for position, (name, points, guidance) in enumerate(DEFAULT_RUBRIC)
            ],
        )


def downgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('video_gallery_public')
        batch_op.drop_column('score_aggregation')
        batch_op.drop_column('judging_blind')
        batch_op.drop_column('video_max_duration_seconds')
        batch_op.drop_column('video_max_bytes')
        batch_op.drop_column('max_videos_per_unit')

    with op.batch_alter_table('score_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_items_criterion_id'))

    op.drop_table('score_items')
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scores_judge_id'))

    op.drop_table('scores')
    with op.batch_alter_table('judge_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judge_assignments_video_id'))

    op.drop_table('judge_assignments')
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_videos_unit_id'))
        batch_op.drop_index(batch_op.f('ix_videos_state'))
        batch_op.drop_index(batch_op.f('ix_videos_replaces_id'))
        batch_op.drop_index('ix_videos_contest_unit_state')

    op.drop_table('videos')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_contest_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_at'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('rubric_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rubric_criteria_contest_id'))

    op.drop_table('rubric_criteria')
