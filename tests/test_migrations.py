"""The migrations keep the data: 3a1800a74700's and cd0f7aa086f4's copies, and every other step
up and down.

For the data migrations 3a1800a74700 (best rounds and approved individual rankings become rows),
cd0f7aa086f4 (each best round keeps its participant's unit) and 5b1e7c9a2d40 (every unit takes
part in every existing contest with its headcount), a fresh database is migrated to
the revision before 3a1800a74700, given rounds and snapshots with plain SQL, migrated through
them and back. The whole chain is walked too: each revision's new tables get rows on the way up
to the head, then each step down to the base must drop its own tables and columns and not one
row of the others. SQLite always; PostgreSQL too when TEST_DATABASE_URL is set, in a throwaway
database of the test's own on that server. The tests build their own app: the suite's `app`
fixture and its patched session are never touched.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from contest.domain.prizes import ContestUnit, ScoreWeights, score_tallies
from contest.extensions import db
from contest.models import BestRound, Contest, SnapshotIndividual
from contest.models.types import UTCDateTime
from tests.apps import own_app, postgres_database
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.db

BEFORE = "10fe866f0c39"
REVISION = "3a1800a74700"
NEW_TABLES = {"best_rounds", "snapshot_individuals", "predictions"}
OLD_TABLES = ("unit_groups", "units", "users", "contests", "attempts", "results_snapshots")
NEW_CONTEST_COLUMNS = {"prediction_question", "prediction_true_value"}
UNIT_REVISION = "cd0f7aa086f4"
REGISTRATION_REVISION = "7339d1ac3416"
PEOPLE_REVISION = "df74027ecb4b"
PARTICIPATION_REVISION = "5b1e7c9a2d40"
BASIS_REVISION = "7c3e1b5a9d21"

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
HOUR = timedelta(hours=1)
MS = timedelta(milliseconds=1)


def _table(name: str, *columns: str, times: tuple[str, ...] = (), json: tuple[str, ...] = ()):
    """A Core table with the app's own types for times (UTCDateTime) and JSON."""
    return sa.table(
        name,
        *(sa.column(column) for column in columns),
        *(sa.column(column, UTCDateTime()) for column in times),
        *(sa.column(column, sa.JSON()) for column in json),
    )


UNIT_GROUPS = _table("unit_groups", "id", "code", "name", "position")
UNITS = _table("units", "id", "code", "name", "group_id", "headcount", "position")
USERS = _table(
    "users",
    "id",
    "full_name",
    "phone",
    "unit_id",
    "password_hash",
    "is_active_account",
    times=("created_at",),
)
CONTESTS = _table(
    "contests",
    "id",
    "slug",
    "name",
    "questions_per_round",
    "round_time_limit_seconds",
    "submission_grace_seconds",
    "review_policy",
    times=("quiz_opens_at", "quiz_closes_at", "created_at"),
)
ATTEMPTS = _table(
    "attempts",
    "id",
    "contest_id",
    "user_id",
    "state",
    "question_count",
    "correct_count",
    "duration_ms",
    times=("started_at", "deadline_at", "submitted_at", "finished_at"),
)
SNAPSHOTS = _table(
    "results_snapshots",
    "id",
    "contest_id",
    "approved_by_id",
    "remarks",
    "revoke_reason",
    times=("approved_at", "revoked_at"),
    json=("content",),
)

QUESTIONS = {1: 10, 2: 20}  # contest id: questions_per_round
CLOSES = {1: T0 + 23 * HOUR, 2: T0 + 46 * HOUR}  # before each contest's approvals

USER_NAMES = {
    1: ("Nguyễn Văn An", 1),
    2: ("Trần Thị Bình", 1),
    3: ("Lê Văn Cường", 2),
    4: ("Phạm Thị Dung", 2),
    5: ("Hoàng Văn Em", None),
    6: ("Vũ Thị Giang", 1),
    7: ("Đặng Văn Hà", 2),
    8: ("Ban Tổ chức", None),
}


def graded(id_, contest_id, user_id, state, correct, duration_ms, finished_at) -> dict:
    """A graded round (submitted or expired) as the app stores it."""
    started_at = finished_at - timedelta(milliseconds=duration_ms)
    return {
        "id": id_,
        "contest_id": contest_id,
        "user_id": user_id,
        "state": state,
        "question_count": QUESTIONS[contest_id],
        "correct_count": correct,
        "duration_ms": duration_ms,
        "started_at": started_at,
        "deadline_at": started_at + timedelta(seconds=600),
        "submitted_at": finished_at if state == "submitted" else None,
        "finished_at": finished_at,
    }


def running(id_, contest_id, user_id, started_at) -> dict:
    """A round still being played: not graded, so never a best round."""
    return {
        "id": id_,
        "contest_id": contest_id,
        "user_id": user_id,
        "state": "active",
        "question_count": QUESTIONS[contest_id],
        "correct_count": None,
        "duration_ms": None,
        "started_at": started_at,
        "deadline_at": started_at + timedelta(seconds=600),
        "submitted_at": None,
        "finished_at": None,
    }


# Inserted in this order; ids are explicit so the id tie-break cannot follow insertion order.
ROUNDS = [
    # An: most correct wins over a faster, earlier round; the running round is ignored.
    graded(1, 1, 1, "submitted", 8, 200_000, T0 + HOUR),
    graded(2, 1, 1, "submitted", 9, 540_000, T0 + 3 * HOUR),
    running(3, 1, 1, T0 + 5 * HOUR),
    # Bình: equal correct, the shorter by 1 ms wins although it finished later (and is expired).
    graded(4, 1, 2, "submitted", 9, 400_000, T0 + HOUR),
    graded(5, 1, 2, "expired", 9, 399_999, T0 + 2 * HOUR),
    # Cường: equal correct and duration, the earlier finish (by 1 ms) wins over the smaller id.
    graded(6, 1, 3, "submitted", 9, 350_000, T0 + 2 * HOUR),
    graded(7, 1, 3, "submitted", 9, 350_000, T0 + 2 * HOUR - MS),
    # Dung: identical performances, the smaller id wins (inserted second).
    graded(9, 1, 4, "submitted", 9, 350_000, T0 + 2 * HOUR),
    graded(8, 1, 4, "submitted", 9, 350_000, T0 + 2 * HOUR),
    # Em: an expired round is graded and counts.
    graded(10, 1, 5, "submitted", 7, 100_000, T0 + HOUR),
    graded(11, 1, 5, "expired", 8, 600_000, T0 + 4 * HOUR),
    # Giang: only a running round, so no best round.
    running(12, 1, 6, T0 + HOUR),
    # Contest 2: best rounds are per contest; Bình's 20 here must not hide her contest-1 round.
    graded(13, 2, 1, "submitted", 5, 300_000, T0 + 30 * HOUR),
    graded(14, 2, 2, "submitted", 20, 100_000, T0 + 26 * HOUR),
    graded(15, 2, 7, "expired", 12, 610_000, T0 + 27 * HOUR),
    running(16, 2, 7, T0 + 28 * HOUR),
]

EXPECTED_BEST_ROUNDS = [
    # contest_id, user_id, attempt_id, correct_count, question_count, duration_ms, finished_at
    (1, 1, 2, 9, 10, 540_000, T0 + 3 * HOUR),
    (1, 2, 5, 9, 10, 399_999, T0 + 2 * HOUR),
    (1, 3, 7, 9, 10, 350_000, T0 + 2 * HOUR - MS),
    (1, 4, 8, 9, 10, 350_000, T0 + 2 * HOUR),
    (1, 5, 11, 8, 10, 600_000, T0 + 4 * HOUR),
    (2, 1, 13, 5, 20, 300_000, T0 + 30 * HOUR),
    (2, 2, 14, 20, 20, 100_000, T0 + 26 * HOUR),
    (2, 7, 15, 12, 20, 610_000, T0 + 27 * HOUR),
]


def line(rank, user_id, unit, correct, duration_ms, finished_at: str) -> dict:
    """An individual line in the snapshot JSON's old shape (results/workflow.py before)."""
    return {
        "rank": rank,
        "participant_id": user_id,
        "name": USER_NAMES[user_id][0],
        "unit": unit,
        "correct": correct,
        "duration_ms": duration_ms,
        "finished_at": finished_at,
    }


SNAPSHOT_ROWS = [
    {  # revoked: its rows are copied too
        "id": 1,
        "contest_id": 1,
        "approved_by_id": 8,
        "approved_at": T0 + 24 * HOUR,
        "revoked_at": T0 + 25 * HOUR,
        "revoke_reason": "Chấm lại một lượt thi",
        "content": {
            "prizes": [],
            "units": [],
            "videos": [],
            "individuals": [
                line(1, 2, "Sở Nội vụ", 9, 400_000, "2026-11-20T02:00:00+00:00"),
                line(2, 1, "Sở Nội vụ", 8, 200_000, "2026-11-20T02:00:00+00:00"),
            ],
        },
    },
    {  # the current one: a tie (ranks 1, 2, 2, 4), a time written with +07:00, no unit
        "id": 2,
        "contest_id": 1,
        "approved_by_id": 8,
        "approved_at": T0 + 26 * HOUR,
        "remarks": "Kết quả chính thức",
        "content": {
            "prizes": [],
            "units": [],
            "videos": [],
            "individuals": [
                line(1, 1, "Sở Nội vụ", 9, 300_000, "2026-11-20T04:00:00+00:00"),
                line(2, 3, "Sở Tư pháp", 9, 350_000, "2026-11-20T09:59:59.999000+07:00"),
                line(2, 4, "Sở Tư pháp", 9, 350_000, "2026-11-20T02:59:59.999000+00:00"),
                line(4, 5, None, 8, 600_000, "2026-11-20T05:00:00+00:00"),
            ],
        },
    },
    {  # contest 2: its own question count
        "id": 3,
        "contest_id": 2,
        "approved_by_id": None,
        "approved_at": T0 + 48 * HOUR,
        "content": {
            "individuals": [line(1, 2, "Sở Nội vụ", 20, 100_000, "2026-11-21T03:00:00+00:00")]
        },
    },
    {  # an approval with nobody ranked: no rows
        "id": 4,
        "contest_id": 2,
        "approved_by_id": 8,
        "approved_at": T0 + 47 * HOUR,
        "revoked_at": T0 + 47 * HOUR + MS,
        "revoke_reason": "Nhầm",
        "content": {"prizes": [], "individuals": []},
    },
]

EXPECTED_SNAPSHOT_INDIVIDUALS = [
    # snapshot_id, position, rank, user_id, full_name, unit_name, correct_count,
    # question_count, duration_ms, finished_at
    (1, 1, 1, 2, "Trần Thị Bình", "Sở Nội vụ", 9, 10, 400_000, T0 + HOUR),
    (1, 2, 2, 1, "Nguyễn Văn An", "Sở Nội vụ", 8, 10, 200_000, T0 + HOUR),
    (2, 1, 1, 1, "Nguyễn Văn An", "Sở Nội vụ", 9, 10, 300_000, T0 + 3 * HOUR),
    (2, 2, 2, 3, "Lê Văn Cường", "Sở Tư pháp", 9, 10, 350_000, T0 + 2 * HOUR - MS),
    (2, 3, 2, 4, "Phạm Thị Dung", "Sở Tư pháp", 9, 10, 350_000, T0 + 2 * HOUR - MS),
    (2, 4, 4, 5, "Hoàng Văn Em", None, 8, 10, 600_000, T0 + 4 * HOUR),
    (3, 1, 1, 2, "Trần Thị Bình", "Sở Nội vụ", 20, 20, 100_000, T0 + 26 * HOUR),
]


def insert_old_data(connection) -> None:
    """Units, people, two contests, their rounds and snapshots as revision 10fe866f0c39 has them."""
    connection.execute(
        UNIT_GROUPS.insert(),
        [
            {"id": 1, "code": "SO", "name": "Sở, ban, ngành", "position": 1},
            {"id": 2, "code": "HUYEN", "name": "UBND cấp huyện", "position": 2},
        ],
    )
    units = [(1, "SNV", "Sở Nội vụ", 1), (2, "STP", "Sở Tư pháp", 1), (3, "HBT", "UBND Ba Tơ", 2)]
    connection.execute(
        UNITS.insert(),
        [
            {
                "id": id_,
                "code": code,
                "name": name,
                "group_id": group,
                "headcount": 40 + id_,
                "position": id_,
            }
            for id_, code, name, group in units
        ],
    )
    connection.execute(
        USERS.insert(),
        [
            {
                "id": id_,
                "full_name": name,
                "phone": f"09{id_:08d}",
                "unit_id": unit_id,
                "password_hash": "x",
                "is_active_account": True,
                "created_at": T0 - 24 * HOUR,
            }
            for id_, (name, unit_id) in USER_NAMES.items()
        ],
    )
    connection.execute(
        CONTESTS.insert(),
        [
            {
                "id": id_,
                "slug": f"hoi-thi-{id_}",
                "name": f"Hội thi trực tuyến Cải cách hành chính {id_}",
                "questions_per_round": questions,
                "round_time_limit_seconds": 600,
                "submission_grace_seconds": 5,
                "review_policy": "after_close",
                "quiz_opens_at": T0 - HOUR,
                "quiz_closes_at": CLOSES[id_],
                "created_at": T0 - 48 * HOUR,
            }
            for id_, questions in QUESTIONS.items()
        ],
    )
    for round_ in ROUNDS:  # one by one, in the list's order
        connection.execute(ATTEMPTS.insert(), round_)
    defaults = {"approved_by_id": None, "remarks": None, "revoked_at": None, "revoke_reason": None}
    connection.execute(SNAPSHOTS.insert(), [defaults | row for row in SNAPSHOT_ROWS])


def dump(connection, tables=OLD_TABLES) -> dict[str, list[dict]]:
    """Every row of `tables`, as reflected from the database, in primary-key order."""
    metadata = sa.MetaData()
    metadata.reflect(connection, only=tables)
    return {
        name: [
            dict(row._mapping)
            for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
        ]
        for name, table in ((name, metadata.tables[name]) for name in tables)
    }


def best_rounds(connection) -> list[tuple]:
    """The best rounds as the app reads them (its model's columns and types)."""
    c = BestRound.__table__.c
    query = sa.select(
        c.contest_id,
        c.user_id,
        c.attempt_id,
        c.correct_count,
        c.question_count,
        c.duration_ms,
        c.finished_at,
    ).order_by(c.contest_id, c.user_id)
    return [tuple(row) for row in connection.execute(query)]


def snapshot_individuals(connection) -> list[tuple]:
    """The frozen individual lines as the app reads them (its model's columns and types)."""
    c = SnapshotIndividual.__table__.c
    query = sa.select(
        c.snapshot_id,
        c.position,
        c.rank,
        c.user_id,
        c.full_name,
        c.unit_name,
        c.correct_count,
        c.question_count,
        c.duration_ms,
        c.finished_at,
    ).order_by(c.snapshot_id, c.position)
    return [tuple(row) for row in connection.execute(query)]


def current_revision(connection) -> str:
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request, tmp_path) -> Iterator[str]:
    """An empty database: a temporary SQLite file, or our own on TEST_DATABASE_URL's server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migration.db'}"
        return
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    with postgres_database(TEST_DATABASE_URL) as url:
        yield url


@contextmanager
def migrated_over_old_data(database_url: str, instance_path) -> Iterator[dict[str, list[dict]]]:
    """A fresh database at 10fe866f0c39 given the old data, then upgraded to 3a1800a74700.

    Yields the old tables' rows as they were before the upgrade; the app context stays pushed.
    """
    with own_app(database_url, instance_path):
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            insert_old_data(connection)
        with db.engine.connect() as connection:
            before = dump(connection)
        assert [len(before[name]) for name in OLD_TABLES] == [2, 3, 8, 2, 16, 4]
        upgrade(revision=REVISION)
        yield before


def sqlite_text(moment: datetime) -> str:
    """How the app's UTCDateTime stores a time on SQLite: naive UTC text."""
    return f"{moment.astimezone(UTC).replace(tzinfo=None):%Y-%m-%d %H:%M:%S.%f}"


def test_upgrade_fills_best_rounds_and_snapshot_individuals(fresh_database_url, tmp_path):
    with migrated_over_old_data(fresh_database_url, tmp_path) as before, db.engine.connect() as c:
        assert current_revision(c) == REVISION
        assert best_rounds(c) == EXPECTED_BEST_ROUNDS
        assert snapshot_individuals(c) == EXPECTED_SNAPSHOT_INDIVIDUALS
        assert c.execute(sa.text("SELECT count(*) FROM predictions")).scalar_one() == 0

        # Compared in SQL as the app compares them: the copied times order with the app's own.
        finished_early = c.execute(
            sa.select(SnapshotIndividual.position)
            .where(
                SnapshotIndividual.snapshot_id == 2,
                SnapshotIndividual.finished_at < T0 + 2 * HOUR,
            )
            .order_by(SnapshotIndividual.position)
        ).scalars()
        assert list(finished_early) == [2, 3]
        if c.dialect.name == "sqlite":
            # SQLite compares the text: the copies must be written exactly as the app writes.
            stored = c.execute(
                sa.text("SELECT finished_at FROM best_rounds ORDER BY contest_id, user_id")
            ).scalars()
            assert list(stored) == [sqlite_text(row[-1]) for row in EXPECTED_BEST_ROUNDS]
            stored = c.execute(
                sa.text(
                    "SELECT finished_at FROM snapshot_individuals ORDER BY snapshot_id, position"
                )
            ).scalars()
            assert list(stored) == [sqlite_text(row[-1]) for row in EXPECTED_SNAPSHOT_INDIVIDUALS]

        # The older tables are untouched; the contests only gained two empty columns.
        after = dump(c)
        for contest in after["contests"]:
            added = {name: contest.pop(name) for name in NEW_CONTEST_COLUMNS}
            assert added == dict.fromkeys(NEW_CONTEST_COLUMNS)
        assert after == before


def test_downgrade_drops_the_new_tables_and_keeps_the_older_data(fresh_database_url, tmp_path):
    with migrated_over_old_data(fresh_database_url, tmp_path) as before:
        downgrade(revision=BEFORE)

        with db.engine.connect() as c:
            assert current_revision(c) == BEFORE
            inspector = sa.inspect(c)
            assert not (NEW_TABLES | {"_alembic_tmp_contests"}) & set(inspector.get_table_names())
            contest_columns = {column["name"] for column in inspector.get_columns("contests")}
            assert not NEW_CONTEST_COLUMNS & contest_columns
            assert dump(c) == before


# The whole chain: every table filled as its revision creates it, every step checked both ways.

ROLES = _table("user_roles", "id", "user_id", "role")
QUESTION_ROWS = _table("questions", "id", "topic", "text", "active", times=("created_at",))
CHOICES = _table("choices", "id", "question_id", "text", "is_correct", "position")
SERVED = _table("served_questions", "id", "attempt_id", "question_id", "position", "choice_order")
ANSWERS = _table("answers", "id", "attempt_id", "question_id", "choice_id", times=("saved_at",))
DRAW_QUOTAS = _table("draw_quotas", "id", "contest_id", "topic", "difficulty", "question_count")
QUESTION_VERSIONS = _table(
    "questions",
    *("id", "topic", "text", "active", "fingerprint", "version", "replaces_id"),
    times=("created_at", "updated_at"),
)
VIDEOS = _table(
    "videos",
    *("id", "contest_id", "unit_id", "uploaded_by_id", "title", "form", "original_filename"),
    *("size_bytes", "part_size", "storage_key", "state", "transcoded", "processing_attempts"),
    times=("created_at", "last_activity_at"),
)
ASSIGNMENTS = _table("judge_assignments", "id", "judge_id", "video_id")
SCORES = _table(
    "scores",
    *("id", "video_id", "judge_id", "state", "total"),
    times=("created_at", "updated_at", "submitted_at"),
)
SCORE_ITEMS = _table("score_items", "id", "score_id", "criterion_id", "points")
AUDIT = _table(
    "audit_entries", "id", "actor_id", "contest_id", "action", times=("at",), json=("details",)
)
JOBS = _table("scheduler_jobs", "id", "next_run_time", "job_state")
LEASES = _table("scheduler_leases", "name", "holder", times=("expires_at",))
TIES = _table(
    "tie_resolutions",
    *("id", "contest_id", "tie_id", "reason", "decided_by_id"),
    times=("decided_at",),
    json=("member_order",),
)
PREDICTIONS = _table("predictions", "contest_id", "user_id", "value", times=("made_at",))
HANDOFFS = _table(
    "credential_handoffs", "token", "created_by_id", "ciphertext", times=("created_at",)
)
DOCUMENTS = _table(
    "contest_documents",
    *("id", "contest_id", "title", "original_filename", "storage_key", "size_bytes"),
    "uploaded_by_id",
    times=("uploaded_at",),
)
LEGAL_DOCUMENTS = _table(
    "legal_documents", "id", "kind", "number", "year", "name", times=("created_at",)
)
MILESTONES = _table(
    "contest_milestones", "id", "contest_id", "kind", times=("due_at", "done_at"), json=("details",)
)
ROUND_REVIEWS = _table(
    "round_reviews",
    *("attempt_id", "contest_id", "user_id", "held", "decision", "reason", "decided_by_id"),
    times=("flagged_at", "decided_at"),
    json=("flags", "evidence"),
)
EXCLUDED = _table(
    "excluded_participants",
    *("contest_id", "user_id", "reason", "decided_by_id"),
    times=("decided_at",),
)


def given(table, *rows: tuple) -> tuple:
    """`table` and its rows, each a tuple in the order of the table's columns."""
    names = [column.name for column in table.columns]
    return table, [dict(zip(names, row, strict=True)) for row in rows]


def person(id_: int) -> tuple:
    """A row of USERS for one of USER_NAMES."""
    name, unit_id = USER_NAMES[id_]
    return id_, name, f"09{id_:08d}", unit_id, "x", True, T0 - 24 * HOUR


def contest(id_: int) -> tuple:
    """A row of CONTESTS for one of QUESTIONS' contests."""
    slug, name = f"hoi-thi-{id_}", f"Hội thi {id_}"
    return id_, slug, name, QUESTIONS[id_], 600, 5, "after_close", T0 - HOUR, CLOSES[id_], T0


TOPIC = "Thủ tục hành chính"
SNAPSHOT_LINE = line(1, 1, "Sở Nội vụ", 8, 200_000, "2026-11-20T02:00:00+00:00")

# Each revision's new tables with rows that refer to the contests and to each other. The rows
# that upgrades add themselves (rubric criteria, prize tables, best rounds, frozen lines) and a
# later row in an older table (a new version of question 1) come on top.
CHAIN = [
    (
        "8343e30270c0",
        [
            given(UNIT_GROUPS, (1, "SO", "Sở, ban, ngành", 1)),
            given(UNITS, (1, "SNV", "Sở Nội vụ", 1, 40, 1), (2, "STP", "Sở Tư pháp", 1, 30, 2)),
            given(USERS, person(1), person(2), person(8)),
            given(ROLES, (1, 1, "participant"), (2, 2, "judge"), (3, 8, "organizer")),
            given(CONTESTS, contest(1), contest(2)),
            given(
                QUESTION_ROWS, (1, TOPIC, "Câu hỏi 1?", True, T0), (2, TOPIC, "Câu 2?", True, T0)
            ),
            given(CHOICES, (1, 1, "Có", True, 1), (2, 1, "Không", False, 2), (3, 2, "Có", True, 1)),
            (
                ATTEMPTS,
                [
                    graded(1, 1, 1, "submitted", 8, 200_000, T0 + HOUR),
                    graded(2, 2, 1, "expired", 15, 610_000, T0 + 25 * HOUR),
                    running(3, 1, 2, T0 + 2 * HOUR),
                ],
            ),
            given(SERVED, (1, 1, 1, 1, "2,1"), (2, 1, 2, 2, "3")),
            given(ANSWERS, (1, 1, 1, 1, T0)),
        ],
    ),
    (
        "c9d574bf8bc5",
        [
            given(DRAW_QUOTAS, (1, 1, TOPIC, None, 5), (2, 2, None, "easy", 3)),
            given(QUESTION_VERSIONS, (3, TOPIC, "Câu hỏi 1, sửa?", True, "f" * 40, 2, 1, T0, T0)),
        ],
    ),
    (
        "79c86249b08d",
        [
            given(
                VIDEOS,
                (1, 1, 1, 1, "Một cửa", "song", "tuyên truyền.mp4", 10_000, 10_000, "v/1.mp4")
                + ("ready", False, 1, T0, T0),
            ),
            given(ASSIGNMENTS, (1, 2, 1)),
            given(SCORES, (1, 1, 2, "submitted", 35, T0, T0, T0)),
            given(SCORE_ITEMS, (1, 1, 1, 35)),  # criterion 1: one the upgrade gave contest 1 or 2
            given(
                AUDIT,
                (1, 2, 1, "video.scored", T0, {"video": 1}),
                (2, 8, None, "accounts.imported", T0, {}),
            ),
        ],
    ),
    (
        "c445078d3070",
        [
            given(JOBS, ("grade-overdue-rounds", 1.8e9, b"\x80")),
            given(LEASES, ("scheduler", "web-1:42", T0)),
        ],
    ),
    ("d0785a235714", [given(TIES, (1, 1, "unit:1-2", "Bốc thăm", 8, T0, [2, 1]))]),
    (
        "10fe866f0c39",
        [
            given(
                SNAPSHOTS, (1, 1, 8, None, None, CLOSES[1], None, {"individuals": [SNAPSHOT_LINE]})
            )
        ],
    ),
    (REVISION, [given(PREDICTIONS, (1, 1, 120, T0))]),
    (
        "20b5ed972171",
        [given(MILESTONES, (1, 1, "results_at_close", CLOSES[1], CLOSES[1], {"awards": 1}))],
    ),
    (UNIT_REVISION, []),  # best rounds keep their participant's unit: a column, no table
    (REGISTRATION_REVISION, []),  # contests.registration_open: a column, no table
    (PEOPLE_REVISION, [given(HANDOFFS, ("a" * 32, 8, b"encrypted", T0))]),
    (PARTICIPATION_REVISION, []),  # contest_units: filled by the upgrade from units x contests
    (
        "5e1d2c7a9b40",  # contest settings (columns) and the contest's documents
        [given(DOCUMENTS, (1, 1, "Kế hoạch", "kế hoạch.pdf", "documents/1/a.pdf", 900, 8, T0))],
    ),
    ("5b2e8f1c9a47", []),  # users' session version: a column, no table
    ("a7c3e9d2f416", []),  # contests' unit ranking visibility and emblem: columns, no table
    ("8c41d7e2f5a3", []),  # contests' pace limit and exposure share: columns, no table
    ("7c3a9e5d2f18", []),  # certificate settings, questions.search_key: columns, no table
    (
        BASIS_REVISION,  # legal documents; the questions' basis and the reference date: columns
        [given(LEGAL_DOCUMENTS, (1, "Luật", "58/2010/QH12", 2010, "Viên chức", T0))],
    ),
    (
        "92ac48199c6b",  # plausibility: round reviews, excluded participants (and columns)
        [
            given(
                ROUND_REVIEWS,
                (1, 1, 1, True, "excluded", "Kịch bản", 8, T0, T0, ["too_fast"], {"answers": []}),
            ),
            given(EXCLUDED, (1, 1, "Chơi hộ", 8, T0)),
        ],
    ),
    ("b3d9f2a61c07", []),  # questions shown on screen, the contest's threshold: columns only
]


def layout(connection) -> dict[str, list[str]]:
    """Each table the migrations made (not Alembic's own) and its columns, in their order."""
    inspector = sa.inspect(connection)
    return {
        name: [column["name"] for column in inspector.get_columns(name)]
        for name in sorted(set(inspector.get_table_names()) - {"alembic_version"})
    }


def every_row(connection) -> dict[str, list[dict]]:
    """Every row of every table the migrations made."""
    return dump(connection, tuple(layout(connection)))


def cut_to(rows_by_table: dict[str, list[dict]], tables: dict[str, list[str]]) -> dict:
    """`rows_by_table` with only the tables and columns of `tables`."""
    return {
        name: [{column: row[column] for column in columns} for row in rows_by_table[name]]
        for name, columns in tables.items()
    }


def test_the_chain_keeps_every_other_tables_rows_up_and_down(fresh_database_url, tmp_path):
    layouts = {}  # revision: its tables and columns
    with own_app(fresh_database_url, tmp_path):
        rows, tables = {}, {}
        for revision, new_rows in CHAIN:
            upgrade(revision=revision)
            with db.engine.begin() as connection:
                assert cut_to(every_row(connection), tables) == rows
                for table, table_rows in new_rows:
                    connection.execute(table.insert(), table_rows)
                rows, tables = every_row(connection), layout(connection)
            assert all(rows.values()), f"a table without rows at {revision}"
            layouts[revision] = tables
        with db.engine.connect() as connection:  # a new migration joins the chain
            assert (
                current_revision(connection)
                == ScriptDirectory.from_config(
                    current_app.extensions["migrate"].migrate.get_config()
                ).get_current_head()
            )

        # A downgrade drops its own tables and columns, and nothing else.
        for revision, _ in reversed(CHAIN[:-1]):
            downgrade(revision=revision)
            with db.engine.connect() as connection:
                assert current_revision(connection) == revision
                assert layout(connection) == layouts[revision]
                assert every_row(connection) == cut_to(rows, layouts[revision])
                rows = every_row(connection)

        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert layout(connection) == {}
            if connection.dialect.name == "sqlite":  # env.py gave the app's pragma back
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def ranking_index_sql(connection) -> str:
    """The ranking index's definition as the database keeps it."""
    if connection.dialect.name == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE name = 'ix_best_rounds_ranking'"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_best_rounds_ranking'"
    return connection.execute(sa.text(query)).scalar_one()


def test_best_rounds_take_their_participants_units_and_give_them_back(fresh_database_url, tmp_path):
    with migrated_over_old_data(fresh_database_url, tmp_path):
        with db.engine.connect() as c:
            before = dump(c, ("best_rounds",))
        upgrade(revision=UNIT_REVISION)

        with db.engine.connect() as c:
            assert current_revision(c) == UNIT_REVISION
            units = {
                (contest_id, user_id): unit_id
                for contest_id, user_id, unit_id in c.execute(
                    sa.text("SELECT contest_id, user_id, unit_id FROM best_rounds")
                )
            }
            assert units == {
                (contest_id, user_id): USER_NAMES[user_id][1]
                for contest_id, user_id, *_ in EXPECTED_BEST_ROUNDS
            }
            assert best_rounds(c) == EXPECTED_BEST_ROUNDS
            # SQLite copies the table: the ranking's index must come back descending.
            assert "correct_count DESC" in ranking_index_sql(c)

        downgrade(revision=REVISION)
        with db.engine.connect() as c:
            assert current_revision(c) == REVISION
            inspector = sa.inspect(c)
            assert "unit_id" not in {
                column["name"] for column in inspector.get_columns("best_rounds")
            }
            assert "ix_best_rounds_unit_tally" not in {
                index["name"] for index in inspector.get_indexes("best_rounds")
            }
            referred = {key["referred_table"] for key in inspector.get_foreign_keys("best_rounds")}
            assert "units" not in referred
            assert "correct_count DESC" in ranking_index_sql(c)
            assert dump(c, ("best_rounds",)) == before


def test_existing_contests_keep_registration_open(fresh_database_url, tmp_path):
    with migrated_over_old_data(fresh_database_url, tmp_path):
        with db.engine.connect() as c:
            before = dump(c, ("contests",))
        upgrade(revision=REGISTRATION_REVISION)
        with db.engine.connect() as c:
            after = dump(c, ("contests",))["contests"]
            assert [contest.pop("registration_open") for contest in after] == [True, True]
            assert after == before["contests"]

        downgrade(revision=UNIT_REVISION)
        with db.engine.connect() as c:
            columns = {column["name"] for column in sa.inspect(c).get_columns("contests")}
            assert "registration_open" not in columns
            assert dump(c, ("contests",)) == before


def test_users_get_search_keys_and_an_optional_phone_and_give_them_back(
    fresh_database_url, tmp_path
):
    with migrated_over_old_data(fresh_database_url, tmp_path):
        upgrade(revision=UNIT_REVISION)
        with db.engine.begin() as c:
            c.execute(
                sa.text(
                    "UPDATE users SET username = 'dang.ha', email = 'Ha@Example.VN' WHERE id = 7"
                )
            )
            before = dump(c, ("users",))
        upgrade(revision=PEOPLE_REVISION)

        with db.engine.begin() as c:
            keys = dict(c.execute(sa.text("SELECT id, search_key FROM users")).all())
            assert keys[1] == "nguyen van an 0900000001"
            assert keys[7] == "dang van ha dang.ha 0900000007 ha@example.vn"
            flags = set(c.execute(sa.text("SELECT must_change_password FROM users")).scalars())
            assert flags == {False}
            # The phone is optional now, and still unique when given.
            c.execute(sa.text("UPDATE users SET phone = NULL WHERE id IN (5, 8)"))
            with pytest.raises(sa.exc.IntegrityError), c.begin_nested():
                c.execute(sa.text("UPDATE users SET phone = '0900000001' WHERE id = 2"))

        # Refused, not failed halfway: "2 accounts have no phone number ..." (Flask-Migrate
        # logs the RuntimeError and exits 1), and the database stays as it was.
        with pytest.raises(SystemExit):
            downgrade(revision=REGISTRATION_REVISION)
        with db.engine.connect() as c:
            assert current_revision(c) == PEOPLE_REVISION
        with db.engine.begin() as c:
            c.execute(sa.text("UPDATE users SET phone = '0900000005' WHERE id = 5"))
            c.execute(sa.text("UPDATE users SET phone = '0900000008' WHERE id = 8"))
        downgrade(revision=REGISTRATION_REVISION)
        with db.engine.connect() as c:
            assert current_revision(c) == REGISTRATION_REVISION
            assert dump(c, ("users",)) == before
            assert "credential_handoffs" not in sa.inspect(c).get_table_names()


def test_every_unit_takes_part_in_every_contest_with_its_headcount(fresh_database_url, tmp_path):
    with migrated_over_old_data(fresh_database_url, tmp_path):
        upgrade(revision=PEOPLE_REVISION)
        with db.engine.connect() as c:
            before = dump(c, ("units", "best_rounds", "contests"))
        upgrade(revision=PARTICIPATION_REVISION)

        with db.engine.connect() as c:
            assert current_revision(c) == PARTICIPATION_REVISION
            rows = c.execute(
                sa.text("SELECT contest_id, unit_id, headcount FROM contest_units ORDER BY 1, 2")
            ).all()
            assert [tuple(row) for row in rows] == [
                (contest_id, unit_id, 40 + unit_id)
                for contest_id in (1, 2)
                for unit_id in (1, 2, 3)
            ]
            after = dump(c, ("units", "best_rounds", "contests"))
            added = [
                {name: unit.pop(name) for name in ("active", "merged_into_id", "merged_at")}
                for unit in after["units"]
            ]
            assert added == [{"active": True, "merged_into_id": None, "merged_at": None}] * 3
            assert after == before

        # The standings read the same headcounts as before: every unit, its own headcount (read
        # at the head, where the models match the schema).
        upgrade()
        from contest.results.services import unit_tallies
        from contest.results.standings import compute_standings, video_entries

        for contest_id in (1, 2):
            contest = db.session.get(Contest, contest_id)
            expected = score_tallies(
                [ContestUnit(1, "SNV", 41), ContestUnit(2, "STP", 42), ContestUnit(3, "HBT", 43)],
                unit_tallies(contest),
                video_entries(contest),
                rubric_max=contest.rubric_max_total or Decimal(1),
                weights=ScoreWeights(30, 30, 40),
            )
            assert compute_standings(contest).units == expected
            assert {line.unit_id for line in expected} == {1, 2, 3}
        db.session.remove()

        downgrade(revision=PEOPLE_REVISION)
        with db.engine.connect() as c:
            assert current_revision(c) == PEOPLE_REVISION
            inspector = sa.inspect(c)
            assert "contest_units" not in inspector.get_table_names()
            columns = {column["name"] for column in inspector.get_columns("units")}
            assert not {"active", "merged_into_id", "merged_at"} & columns
            assert dump(c, ("units", "best_rounds", "contests")) == before


# 7c3e1b5a9d21 reads each question's basis from its citation, and flags the others.

CITED_QUESTIONS = _table(
    "questions",
    "id",
    "topic",
    "text",
    "fingerprint",
    "citation",
    "active",
    "version",
    times=("created_at", "updated_at"),
)


def test_the_basis_is_read_from_the_citations_and_the_rest_flagged(fresh_database_url, tmp_path):
    citations = [
        "Luật Cán bộ, công chức 2008, khoản 1 Điều 36 (Điều kiện đăng ký dự tuyển công chức)",
        "Luật Cán bộ, công chức số 22/2008/QH12, khoản 1 Điều 4",
        "Nghị định 61/2018/NĐ-CP ngày 23/4/2018, điểm g khoản 1 Điều 8 (Bộ phận Một cửa)",
        "Báo cáo Chỉ số PAPI thường niên (CECODES, VFF-CRT, RTA và UNDP), phần giới thiệu",
        None,
    ]
    with own_app(fresh_database_url, tmp_path):
        upgrade(revision="5b2e8f1c9a47")
        with db.engine.begin() as connection:
            connection.execute(
                CITED_QUESTIONS.insert(),
                [
                    {
                        "id": n,
                        "topic": TOPIC,
                        "text": f"Câu {n}?",
                        "fingerprint": f"{n:040d}",
                        "citation": citation,
                        "active": True,
                        "version": 1,
                        "created_at": T0,
                        "updated_at": T0,
                    }
                    for n, citation in enumerate(citations, 1)
                ],
            )
        upgrade(revision=BASIS_REVISION)
        with db.engine.connect() as c:
            documents = c.execute(
                sa.text("SELECT id, kind, number, year, name, issued_on FROM legal_documents")
            ).all()
            questions = c.execute(
                sa.text(
                    "SELECT id, legal_document_id, basis_article, basis_clause, basis_point, "
                    "review_reason FROM questions ORDER BY id"
                )
            ).all()
    # The two citations of the civil-servant law name one document, completed by the second.
    assert [tuple(row[1:5]) for row in documents] == [
        ("Luật", "22/2008/QH12", 2008, "Cán bộ, công chức"),
        ("Nghị định", "61/2018/NĐ-CP", 2018, None),
    ]
    law, decree = (row[0] for row in documents)
    assert [tuple(row[1:]) for row in questions] == [
        (law, "36", "1", None, None),
        (law, "4", "1", None, None),
        (decree, "8", "1", "g", None),
        (None, None, None, None, "no_basis"),
        (None, None, None, None, "no_basis"),
    ]
