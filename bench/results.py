"""Benchmark of the results: the leaderboard, a deep page, the standings, the XLSX export of the
whole individual ranking and its freezing at approval, on SQLite and PostgreSQL.

Run from the repository root (about 8 minutes with the defaults, with or without --profile;
PostgreSQL on 127.0.0.1:5432):

    .venv/bin/python -m bench.results [--participants 100000] [--rounds 1000000]
                                      [--databases sqlite,postgres] [--postgres URL]
                                      [--repeat 3] [--limit 100] [--profile] [--wait-quiet 20]

`--participants 5000 --rounds 50000` is a quick run (about 3 minutes).

For each database (an SQLite file in a temporary folder; a throwaway PostgreSQL database
bench_results_<pid> on the --postgres server, created and dropped over a psycopg autocommit
connection) it migrates an empty database with `flask --app wsgi db upgrade`, then fills it
in a fresh Python process (fixed seed: the same data on every run):

  - the seed plan's 46 units in their 6 groups (contest.demo.UNIT_GROUPS); the participants
    are spread over them by headcount, each unit's share drawn 0.55-1.1 times its weight, and
    the stored headcounts are scaled so that participation ranges over roughly 60-100%;
  - --participants participants (role participant, one constant password hash), a contest
    whose 30-day quiz window holds exactly --rounds graded rounds: 1-19 per participant,
    uniformly drawn then evened out to the total, started at random over the 30 days and
    inserted in start order (ids follow time, as in a real contest); 0-10 correct of 10,
    20,000-599,999 ms, or (3%) expired at the 600,000 ms deadline; plus one running
    (ungraded) round per 100 participants, which every query must skip;
  - each participant's best round (the table best_rounds, which grading keeps up to date and
    which rounds inserted in bulk are not in): contest.quiz.services.rebuild_best_rounds, the
    app's own service, timed as the phase "best rounds";
  - 2 ready videos per unit, each scored (submitted totals) by the 5 judges; the contest's
    default rubric (100 points) and the seed prize table (10 unit, 10 video, 10 individual).

Rows go in by the driver's bulk path (SQLite: executemany of 10,000 rows; PostgreSQL: COPY),
in one transaction on a connection that skips the foreign-key checks (the rows are consistent
by construction); the rounds are staged as integers and the database computes their four
timestamps (INSERT ... SELECT). PostgreSQL then gets VACUUM ANALYZE (what autovacuum does to a
table that grew; without it the planner knows nothing of the rows); SQLite gets no ANALYZE,
as the platform never runs one.

Measured, each run in a fresh Python process (create_app, one SELECT 1 and the contest loaded
before the clock starts), --repeat times (min and median reported):

  leaderboard  contest.results.services.individual_leaderboard(contest, --limit): the
               ranking's first page (the results page, the API, the organizer's dashboard).
  deep page    individual_leaderboard(contest, --limit, offset=participants // 2): a page in
               the middle of the ranking (the published ranking, paged).
  standings    contest.results.standings.compute_standings(contest): unit and video rankings,
               the head of the individual ranking that the prizes need, and the prize list.
               Its peak of Python allocations comes from one more run under tracemalloc
               (which slows Python down and would spoil the other figures).
  export       the whole individual ranking as XLSX, written to a temporary file by the app's
               own contest.results.exports.individual_sheet(individual_ranking(contest)) and
               write_xlsx([sheet], stream): rows/s, RSS growth, and the Python peak from one
               more traced run, set against what holding every row would take (the rows of a
               first page, held, measured with tracemalloc): the export must stream.
  freeze       contest.results.services.freeze_individual_ranking(contest, snapshot_id): the
               whole ranking copied into snapshot_individuals in the database, as approving the
               results does (a ResultsSnapshot with content={} made before the clock starts;
               rolled back afterwards: no commit is timed).
  explain      the SQL of the leaderboard and of the deep page, captured as they run, under
               EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL): whether
               they read ix_best_rounds_ranking (the ranking's order), and whether they still
               sort every row (SORTS).

Checks (reported, never asserted): the leaderboard's lines are the first --limit lines of the
standings' head (same participants, same ranks) when the head is that long, and of the frozen
ranking; the deep page's lines are the exported rows at its offset; the export and the freeze
hold one line per participant; the standings score 46 units and every scored video; the prize
list awards 10 + 10 + 10 prizes or reports the ties that wait for the organizers; the
leaderboard's plan reads ix_best_rounds_ranking.

--profile runs compute_standings once more under cProfile and lists the functions where its
time goes, then runs each of its SQL statements again alone (every row fetched) with the plan
of the slowest: the database's share of the time.

Peak RSS is the process's high-water mark (VmHWM, reset once the app is up) minus its RSS at
that point (baseline); on SQLite it includes the database engine's own memory (sorts, page
cache), on PostgreSQL only the client's: the server's work memory is not counted. Linux only.

Timings are only as good as the machine is quiet: before each measurement it waits (up to
--wait-quiet seconds) for the CPUs to calm down, and marks the figures measured while other
work used the CPUs. The code fingerprint (bench.common.code_fingerprint) tells which version
of the platform was measured. The report is printed and written to
bench/results/results-<time>.md.
"""

import argparse
import contextlib
import cProfile
import dataclasses
import itertools
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench import common
from bench.common import BUSY_OTHERS_PERCENT, MIB, ROOT, BenchError

SEED = 46_100  # the same data on every run, so runs compare

BATCH = 10_000  # rows per executemany on SQLite
OPENS = datetime(2026, 9, 15, 1, 0, tzinfo=UTC)  # the quiz window: 30 days from here
WINDOW_DAYS = 30
ROUND_LIMIT_MS = 600_000  # round_time_limit_seconds = 600
QUESTIONS = 10
MIN_ROUNDS, MAX_ROUNDS = 1, 19  # graded rounds per participant
EXPIRED_SHARE = 0.03  # rounds graded at their deadline
RUNNING_PER = 100  # one running round per this many participants
JUDGES = 5
VIDEOS_PER_UNIT = 2
PASSWORD_HASH = "scrypt:32768:8:1$bench$" + "0" * 128  # never checked: nobody logs in
USER_BITS = 20  # a round's sort key: start (ms) << USER_BITS | participant index
STAGED_TABLE = "bench_staged_rounds"  # rounds as integers, before they become attempts
STAGED_COLUMNS = ("user_id", "state", "start_ms", "duration_ms", "correct_count")

RANKING_INDEX = "ix_best_rounds_ranking"  # the ranking's order (contest.models.quiz)
HELD_SAMPLE = 2000  # export rows held to measure what holding one costs
STREAMING_SHARE = 0.25  # an export whose peak stays below this share of holding every row streams
TOO_FEW_TO_TELL = 20_000  # below this many rows the export's fixed buffers outweigh the rows

# The measurements, in order: (step, label, also traced).
STEPS = (
    ("leaderboard", "leaderboard", False),
    ("deep", "deep page", False),
    ("standings", "standings", True),
    ("export", "export", True),
    ("freeze", "freeze", False),
)


# -- the data ----------------------------------------------------------------------------------


def rounds_per_participant(participants: int, rounds: int, rng: random.Random) -> list[int]:
    """MIN..MAX_ROUNDS graded rounds each, uniformly drawn, then evened out to `rounds` in all."""
    counts = [rng.randint(MIN_ROUNDS, MAX_ROUNDS) for _ in range(participants)]
    missing = rounds - sum(counts)
    order = list(range(participants))
    while missing:
        rng.shuffle(order)
        step = 1 if missing > 0 else -1
        for index in order:
            if MIN_ROUNDS <= counts[index] + step <= MAX_ROUNDS:
                counts[index] += step
                missing -= step
                if not missing:
                    break
    return counts


class BulkWriter:
    """Rows into a table by the driver's fastest path, inside the session's transaction."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.raw = connection.connection.driver_connection
        self.postgres = connection.dialect.name == "postgresql"

    def create_staging(self) -> None:
        """The temporary table the rounds are staged in, as integers (see rounds_from_staged)."""
        self.connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {STAGED_TABLE} (user_id INTEGER, state VARCHAR(9),"
            " start_ms BIGINT, duration_ms INTEGER, correct_count INTEGER)"
        )

    def timestamp_sql(self, milliseconds: str) -> str:
        """SQL turning Unix milliseconds into the column's value (None stays None)."""
        if self.postgres:
            return f"(timestamptz 'epoch' + ({milliseconds}) * interval '1 millisecond')"
        # UTCDateTime's text on SQLite: naive UTC, microseconds ('2026-09-15 01:00:00.000000').
        return (
            f"(strftime('%Y-%m-%d %H:%M:%S', ({milliseconds}) / 1000, 'unixepoch')"
            f" || printf('.%06d', ({milliseconds}) % 1000 * 1000))"
        )

    def rounds_from_staged(self, contest_id: int) -> str:
        """INSERT of the staged rounds into attempts, the timestamps computed by the database
        (building and formatting 4 million datetimes in Python took longer than the inserts)."""
        stamp = self.timestamp_sql
        finished = stamp("start_ms + duration_ms")  # null for a running round
        # The SQL is this module's own (constants and an id): nothing to inject.
        return (
            "INSERT INTO attempts (contest_id, user_id, state, started_at, deadline_at,"  # noqa: S608
            " submitted_at, finished_at, question_count, correct_count, duration_ms)"
            f" SELECT {contest_id}, user_id, state, {stamp('start_ms')},"
            f" {stamp(f'start_ms + {ROUND_LIMIT_MS}')},"
            f" CASE WHEN state = 'submitted' THEN {finished} END, {finished}, {QUESTIONS},"
            f" correct_count, duration_ms FROM {STAGED_TABLE} ORDER BY start_ms"
        )

    def stamp(self, value: datetime | None):
        """A UTC datetime as the column stores it (SQLite: naive ISO text, as UTCDateTime)."""
        if value is None or self.postgres:
            return value
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        """Insert `rows` (tuples in `columns` order, values as the driver takes them)."""
        written = 0
        if self.postgres:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        marks = ", ".join("?" * len(columns))
        # The names are this module's constants, never input: nothing to inject.
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        cursor = self.raw.cursor()
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, BATCH)):
            cursor.executemany(statement, batch)
            written += len(batch)
        cursor.close()
        return written


def generate(participants: int, rounds: int, seed: int) -> dict:
    """Fill the app's (empty, migrated) database; return the contest id, counts and timings."""
    from sqlalchemy import func, select, text

    from contest import create_app
    from contest.demo import POSITIONS, UNIT_GROUPS, demo_name
    from contest.extensions import db
    from contest.models import (
        Attempt,
        AttemptState,
        BestRound,
        Contest,
        ReviewPolicy,
        Role,
        Score,
        ScoreState,
        Unit,
        UnitGroup,
        User,
        Video,
        VideoForm,
        VideoState,
    )
    from contest.quiz.services import rebuild_best_rounds

    rng = random.Random(seed)
    phases: dict[str, float] = {}
    app = create_app()
    with app.app_context():
        started = clock = time.perf_counter()
        writer = BulkWriter(db.session.connection())
        # This connection only (the measurements use the app's own settings). The rows are
        # consistent by construction: checking 2 million foreign keys one row at a time took
        # most of the generation on PostgreSQL (its triggers do not fire for a replica).
        if writer.postgres:
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            # Before any write: SQLite ignores it inside a transaction.
            db.session.execute(text("PRAGMA foreign_keys = OFF"))
            if db.session.execute(text("PRAGMA foreign_keys")).scalar():
                raise BenchError("PRAGMA foreign_keys = OFF did not take (a transaction began)")
            # The rounds' index entries go in participant order, far from start order: with
            # SQLite's default 2 MiB page cache each insert rereads index pages from the file.
            db.session.execute(text("PRAGMA cache_size = -262144"))  # KiB: 256 MiB
        closes = OPENS + timedelta(days=WINDOW_DAYS)

        # Units: the seed plan's, headcounts scaled to the participants (see the docstring).
        headcounts = [headcount for _, _, members in UNIT_GROUPS for *_, headcount in members]
        shares = [headcount * rng.uniform(0.55, 1.1) for headcount in headcounts]
        scale = participants / sum(headcounts)
        units = []
        for group_position, (group_code, group_name, members) in enumerate(UNIT_GROUPS, 1):
            group = UnitGroup(code=group_code, name=group_name, position=group_position)
            db.session.add(group)
            for position, (code, name, headcount) in enumerate(members, 1):
                units.append(
                    Unit(
                        code=code,
                        name=name,
                        group=group,
                        headcount=max(1, round(headcount * scale * 1.1)),
                        position=position,
                    )
                )
        db.session.add_all(units)
        contest = Contest(
            slug="bench-results",
            name="Hội thi trực tuyến Cải cách hành chính (bài đo kết quả)",
            organizer_name="Sở Nội vụ",
            quiz_opens_at=OPENS,
            quiz_closes_at=closes,
            video_opens_at=OPENS,
            video_closes_at=closes,
            results_publish_at=closes + timedelta(days=14),
            questions_per_round=QUESTIONS,
            round_time_limit_seconds=ROUND_LIMIT_MS // 1000,
            submission_grace_seconds=5,
            max_videos_per_unit=VIDEOS_PER_UNIT,
            review_policy=ReviewPolicy.AFTER_CLOSE,
        )
        db.session.add(contest)
        judges = []
        for number in range(1, JUDGES + 1):
            judge = User(
                full_name=f"Giám khảo {number}",
                phone=f"0960000{number:03d}",
                password_hash=PASSWORD_HASH,
            )
            judge.grant(Role.JUDGE)
            judges.append(judge)
        db.session.add_all(judges)
        db.session.flush()
        contest_id = contest.id  # ids read now: the session expires objects on rollback
        phases["units, contest, judges"] = time.perf_counter() - clock

        # Participants, with explicit ids (the rounds refer to them).
        clock = time.perf_counter()
        first_id = db.session.scalar(select(func.max(User.id))) + 1
        unit_of = rng.choices([unit.id for unit in units], shares, k=participants)
        created_at = writer.stamp(OPENS - timedelta(days=7))
        active = True if writer.postgres else 1
        writer.write(
            "users",
            (
                "id",
                "full_name",
                "phone",
                "position",
                "unit_id",
                "password_hash",
                "is_active_account",
                "created_at",
            ),
            (
                (
                    first_id + n,
                    demo_name(n + 1),
                    f"097{n + 1:07d}",
                    POSITIONS[n % len(POSITIONS)],
                    unit_of[n],
                    PASSWORD_HASH,
                    active,
                    created_at,
                )
                for n in range(participants)
            ),
        )
        writer.write(
            "user_roles",
            ("user_id", "role"),
            ((first_id + n, Role.PARTICIPANT.value) for n in range(participants)),
        )
        if writer.postgres:
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence('users', 'id'), max(id)) FROM users")
            )
        phases["participants"] = time.perf_counter() - clock

        # Graded rounds, in start order: only (start, participant) is sorted, as one int each.
        clock = time.perf_counter()
        writer.create_staging()
        counts = rounds_per_participant(participants, rounds, rng)
        span_ms = WINDOW_DAYS * 86_400_000 - ROUND_LIMIT_MS
        keys = [
            (int(rng.random() * span_ms) << USER_BITS) | index
            for index, count in enumerate(counts)
            for _ in range(count)
        ]
        keys.sort()
        mask = (1 << USER_BITS) - 1

        def graded_rows():
            for key in keys:
                if rng.random() < EXPIRED_SHARE:  # graded at its deadline, never submitted
                    state, duration = AttemptState.EXPIRED.value, ROUND_LIMIT_MS
                else:
                    state, duration = (
                        AttemptState.SUBMITTED.value,
                        20_000 + int(rng.random() * 580_000),
                    )
                yield (
                    first_id + (key & mask),
                    state,
                    opens_ms + (key >> USER_BITS),
                    duration,
                    int(rng.random() * (QUESTIONS + 1)),
                )

        def running_rows():
            for index in sorted(rng.sample(range(participants), participants // RUNNING_PER)):
                start = closes_ms - ROUND_LIMIT_MS - int(rng.random() * 300_000)
                yield (first_id + index, AttemptState.ACTIVE.value, start, None, None)

        opens_ms = int(OPENS.timestamp() * 1000)
        closes_ms = int(closes.timestamp() * 1000)
        graded = writer.write(STAGED_TABLE, STAGED_COLUMNS, graded_rows())
        running = writer.write(STAGED_TABLE, STAGED_COLUMNS, running_rows())
        db.session.execute(text(writer.rounds_from_staged(contest_id)))
        db.session.execute(text(f"DROP TABLE {STAGED_TABLE}"))
        # The database wrote the timestamps: read the first round back as the app reads it.
        first = db.session.scalars(select(Attempt).order_by(Attempt.id).limit(1)).one()
        expected = OPENS + timedelta(milliseconds=keys[0] >> USER_BITS)
        finished = expected + timedelta(milliseconds=first.duration_ms)
        if (first.started_at, first.finished_at) != (expected, finished):
            raise BenchError(f"round 1 reads back as {first.started_at}, not {expected}")
        keys.clear()  # the sort keys' memory is not needed any more
        phases["rounds"] = time.perf_counter() - clock

        # Each participant's best round, by the app's own service: rounds inserted in bulk were
        # never graded, and grading is what keeps best_rounds (record_best_round).
        clock = time.perf_counter()
        rebuild_best_rounds(contest_id)
        best = db.session.scalar(
            select(func.count()).select_from(BestRound).where(BestRound.contest_id == contest_id)
        )
        if best != participants:  # every participant has at least one graded round
            raise BenchError(f"rebuild_best_rounds kept {best} best rounds, not {participants}")
        phases["best rounds"] = time.perf_counter() - clock

        # Videos, 2 per unit, each scored by every judge around a quality of its own.
        clock = time.perf_counter()
        videos = []
        for unit in units:
            for number in range(1, VIDEOS_PER_UNIT + 1):
                video = Video(
                    contest_id=contest_id,
                    unit_id=unit.id,
                    title=f"Video {number} của {unit.name}",
                    form=rng.choice(list(VideoForm)),
                    original_filename=f"{unit.code.lower()}-{number}.mp4",
                    content_type="video/mp4",
                    size_bytes=200 * MIB,
                    part_size=8 * MIB,
                    storage_key=f"videos/{contest_id}/{unit.code}-{number}/original",
                    playback_key=f"videos/{contest_id}/{unit.code}-{number}/playback.mp4",
                    state=VideoState.READY,
                    ready_at=OPENS + timedelta(days=rng.randint(1, WINDOW_DAYS)),
                )
                videos.append(video)
        db.session.add_all(videos)
        db.session.flush()
        for video in videos:
            quality = rng.uniform(55, 92)
            for judge in judges:
                total = min(100.0, max(0.0, rng.gauss(quality, 4)))
                db.session.add(
                    Score(
                        video_id=video.id,
                        judge_id=judge.id,
                        state=ScoreState.SUBMITTED,
                        total=Decimal(round(total * 100)) / 100,
                        submitted_at=closes,
                    )
                )
        db.session.commit()
        phases["videos, scores, commit"] = time.perf_counter() - clock

        clock = time.perf_counter()
        if writer.postgres:
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        else:
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.commit()
        phases["VACUUM ANALYZE" if writer.postgres else "WAL checkpoint"] = (
            time.perf_counter() - clock
        )
        seconds = time.perf_counter() - started
        size = (
            db.session.scalar(text("SELECT pg_database_size(current_database())"))
            if writer.postgres
            else Path(db.engine.url.database).stat().st_size
        )
        db.session.rollback()
    return {
        "contest": contest_id,
        "participants": participants,
        "graded": graded,
        "running": running,
        "units": len(units),
        "videos": len(videos),
        "scores": len(videos) * len(judges),
        "seconds": seconds,
        "phases": phases,
        "database_bytes": size,
    }


# -- one measurement, in a fresh process -------------------------------------------------------


def _page_summary(lines) -> dict:
    """A leaderboard page as the checks compare it."""
    return {
        "lines": len(lines),
        "top": [[line.rank, line.participant_id] for line in lines],
        "named": [[line.rank, line.full_name] for line in lines],
        "first": {
            "rank": lines[0].rank,
            "correct": lines[0].correct_count,
            "duration_ms": lines[0].duration_ms,
            "unit": lines[0].unit_name,
        }
        if lines
        else None,
    }


def _standings_summary(standings, limit: int) -> dict:
    prizes = standings.prizes
    return {
        "individuals": len(standings.individuals),
        "top": [[line.rank, line.result.participant_id] for line in standings.individuals[:limit]],
        "units": len(standings.units),
        "videos": len(standings.videos),
        "awards": dict(Counter(award.category for award in prizes.awards)),
        "pending_ties": [
            f"{tie.tie_id}: {len(tie.entry_ids)} tied for {tie.places} place(s)"
            for tie in prizes.pending_ties
        ],
        "total_amount": prizes.total_amount,
    }


class CountedRows:
    """An export's rows passed through as they are written: their count, and the rows at the
    deep page's offset (rank and name) for the checks."""

    def __init__(self, rows: Iterable[list], offset: int, limit: int) -> None:
        self.rows, self.offset, self.limit = rows, offset, limit
        self.count = 0
        self.sample: list[list] = []

    def __iter__(self) -> Iterator[list]:
        end = self.offset + self.limit
        for row in self.rows:
            if self.offset <= self.count < end:
                self.sample.append([row[0], row[1]])
            self.count += 1
            yield row


def held_row_bytes(contest) -> float:
    """What one export row costs in memory when rows are held (as a list of them would)."""
    from contest.results.exports import individual_sheet
    from contest.results.services import individual_ranking

    sheet = individual_sheet(individual_ranking(contest))
    return common.held_item_bytes(iter(sheet.rows), HELD_SAMPLE)


def measure(job: dict) -> dict:
    """Run one measurement (job["step"]) in this process; return its figures."""
    from sqlalchemy import event, func, select, text

    from contest import create_app
    from contest.extensions import db
    from contest.models import Contest, ResultsSnapshot, SnapshotIndividual
    from contest.results.exports import individual_sheet, write_xlsx
    from contest.results.services import (
        freeze_individual_ranking,
        individual_leaderboard,
        individual_ranking,
    )
    from contest.results.standings import compute_standings

    step, limit, offset = job["step"], job["limit"], job["offset"]
    app = create_app()
    with app.app_context():
        # Connect, query and load the contest once: connection and first query are baseline.
        db.session.execute(text("SELECT 1"))
        contest = db.session.get(Contest, job["contest"])
        if step == "explain":
            return explain(db, contest, limit, offset)
        result: dict = {}
        with contextlib.ExitStack() as stack:
            if step == "freeze":
                snapshot = ResultsSnapshot(contest_id=contest.id, content={})
                db.session.add(snapshot)
                db.session.flush()
            if step == "export":
                stream = stack.enter_context(open(job["file"], "wb"))  # noqa: SIM115
            profile = cProfile.Profile() if step == "profile" else None
            statements: list[tuple[str, object]] = []
            if profile is not None:
                listener = _capture(statements)
                event.listen(db.engine, "before_cursor_execute", listener)
                stack.callback(event.remove, db.engine, "before_cursor_execute", listener)
            with common.Peaks(job["traced"]) as peaks:
                if profile is not None:
                    profile.enable()
                if step == "leaderboard":
                    outcome = individual_leaderboard(contest, limit)
                elif step == "deep":
                    outcome = individual_leaderboard(contest, limit, offset)
                elif step == "export":
                    sheet = individual_sheet(individual_ranking(contest))
                    outcome = CountedRows(sheet.rows, offset, limit)
                    write_xlsx([dataclasses.replace(sheet, rows=outcome)], stream)
                elif step == "freeze":
                    outcome = freeze_individual_ranking(contest, snapshot.id)
                else:
                    outcome = compute_standings(contest)
                if profile is not None:
                    profile.disable()
        if step in ("leaderboard", "deep"):
            summary = _page_summary(outcome)
        elif step == "export":
            summary = {
                "rows": outcome.count,
                "sample": outcome.sample,
                "bytes": Path(job["file"]).stat().st_size,
            }
            if job["traced"]:
                summary["held_row_bytes"] = held_row_bytes(contest)
        elif step == "freeze":
            frozen = select(SnapshotIndividual).where(SnapshotIndividual.snapshot_id == snapshot.id)
            summary = {
                "rows": outcome,
                "stored": db.session.scalar(select(func.count()).select_from(frozen.subquery())),
                "top": [
                    [line.rank, line.user_id]
                    for line in db.session.scalars(
                        frozen.order_by(SnapshotIndividual.position).limit(limit)
                    )
                ],
            }
        else:
            summary = _standings_summary(outcome, limit)
        if profile is not None:
            result["profile"] = profile_tables(profile, peaks.seconds)
            result["statements"] = time_statements(db, statements)
        db.session.rollback()
    return {**result, **peaks.figures(), "summary": summary}


def _capture(statements: list[tuple[str, object]]):
    """A before_cursor_execute listener that keeps every statement and its parameters."""

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    return capture


def time_statements(db, statements: list[tuple[str, object]]) -> list[dict]:
    """Each captured statement run again alone, every row fetched: where the database's share
    of the time goes (SQLite computes as rows are fetched, so execute alone would show little).
    The slowest one's plan comes with it."""
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    timed = []
    for statement, parameters in statements:
        started = time.perf_counter()
        rows = len(connection.exec_driver_sql(statement, parameters).all())
        seconds = time.perf_counter() - started
        timed.append({"sql": " ".join(statement.split()), "rows": rows, "seconds": seconds})
    if timed:
        slowest = max(range(len(timed)), key=lambda n: timed[n]["seconds"])
        statement, parameters = statements[slowest]
        timed[slowest]["plan"] = plan_of(connection, statement, parameters, postgres)
    db.session.rollback()
    return timed


def plan_of(connection, statement: str, parameters, postgres: bool) -> list[str]:
    """The database's plan of a statement (PostgreSQL: run, with its timings and buffers)."""
    if postgres:
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return [row[0] for row in rows]
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    depth: dict[int, int] = {0: -1}
    plan = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        plan.append("  " * depth[node] + detail)
    return plan


def profile_tables(profile: cProfile.Profile, seconds: float, top: int = 15) -> dict:
    """The functions where compute_standings spends its time: own time, and the platform's
    functions by cumulative time (file:line name, calls, seconds)."""
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (cc, calls, tottime, cumtime, _)

    def label(key: tuple) -> str:
        filename, line, name = key
        if filename == "~":
            return name  # a built-in: "<method 'sort' of 'list' objects>"
        path = Path(filename)
        with contextlib.suppress(ValueError):
            return f"{path.relative_to(ROOT)}:{line} {name}"
        parts = path.parts
        short = (
            "/".join(parts[parts.index("site-packages") + 1 :])
            if "site-packages" in parts
            else path.name
        )
        return f"{short}:{line} {name}"

    rows = [
        (label(key), calls, own, cumulative)
        for key, (_, calls, own, cumulative, _) in stats.items()
    ]
    own = sorted(rows, key=lambda row: -row[2])[:top]
    platform = sorted(
        (row for row in rows if row[0].startswith("contest/")), key=lambda row: -row[3]
    )[:top]
    return {"seconds": seconds, "own": own, "platform": platform}


def explain(db, contest, limit: int, offset: int) -> dict:
    """The SQL of the leaderboard and of the deep page, captured as they run, with the
    database's plan of each."""
    from sqlalchemy import event

    from contest.results.services import individual_leaderboard

    plans = {}
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    for name, page_offset in (("leaderboard", 0), ("deep page", offset)):
        captured: list[tuple[str, object]] = []
        listener = _capture(captured)
        event.listen(db.engine, "before_cursor_execute", listener)
        individual_leaderboard(contest, limit, page_offset)
        event.remove(db.engine, "before_cursor_execute", listener)
        statement, parameters = max(captured, key=lambda item: len(item[0]))  # the ranking
        plans[name] = {
            "sql": statement,
            "plan": plan_of(connection, statement, parameters, postgres),
        }
    db.session.rollback()
    return {"plans": plans}


def key_plan_lines(plan: list[str], postgres: bool) -> list[str]:
    """The lines of a plan that say how rows are found and ordered."""
    if not postgres:
        return plan
    keys = ("->", "Sort Method", "Sort Key", "Index Cond", "Execution Time", "Disk")
    return [line for n, line in enumerate(plan) if n == 0 or any(k in line for k in keys)]


def measure_job(job: dict) -> dict:
    """The measuring child's job: the generation, or one measurement."""
    if job["step"] == "generate":
        return generate(job["participants"], job["rounds"], job["seed"])
    return measure(job)


# -- databases and children --------------------------------------------------------------------


class Databases(common.ThrowawayDatabases):
    """One throwaway database per kind, migrated with the platform's own command."""

    def __init__(self, args: argparse.Namespace, stack: contextlib.ExitStack, tmp: Path) -> None:
        super().__init__(args, stack, tmp, "bench_results")

    def create(self, kind: str) -> str:
        """An empty migrated database of `kind`; its URL. Dropped or deleted at the end."""
        if kind == "sqlite":
            url = f"sqlite:///{self.tmp / 'results.db'}"
        else:
            self.recreate(self.name)
            url = self.postgres_url
        self.migrate(url)
        return url

    def remove(self, kind: str) -> None:
        """Free the disk (or the server) before the next database is filled."""
        if kind == "sqlite":
            for path in self.tmp.glob("results.db*"):
                path.unlink()
        else:
            self.drop(self.name)

    def run(self, url: str, job: dict) -> dict:
        """One step in a fresh process on the database at `url`; its figures."""
        out = self.tmp / "result.json"
        return common.run_child(
            "bench.results", job, self.env(url), out, self.args.wait_quiet, job["step"]
        )


def _duration(seconds: float) -> str:
    """A time for the progress lines: ms below a second."""
    return f"{1000 * seconds:9.1f} ms" if seconds < 1 else f"{seconds:9.2f} s "


def measure_step(
    databases: Databases, url: str, job: dict, kind: str, label: str, traced: bool
) -> dict:
    """--repeat plain runs of one step (and with `traced` one more under tracemalloc), each in
    a fresh process; min and median time, highest RSS growth, the most CPU others used."""
    runs = []
    for n in range(databases.args.repeat):
        run = databases.run(url, {**job, "traced": False})
        runs.append(run)
        print(
            f"{kind:<9}{label:<12}#{n + 1:<7}{_duration(run['seconds'])}"
            f"  RSS +{_mib(run['rss_growth']):>7} MiB  other CPU {run['others_percent']:3.0f}%",
            flush=True,
        )
    times = [run["seconds"] for run in runs]
    figures = {
        "min": min(times),
        "median": statistics.median(times),
        "rss": max(run["rss_growth"] for run in runs),
        "baseline": min(run["baseline_rss"] for run in runs),
        "others": max(run["others_percent"] for run in runs),
        "summary": runs[0]["summary"],
    }
    if traced:
        run = databases.run(url, {**job, "traced": True})
        figures.update(
            traced_peak=run["traced_peak"], traced_seconds=run["seconds"], summary=run["summary"]
        )
        print(
            f"{kind:<9}{label:<12}{'traced':<8}{_duration(run['seconds'])}"
            f"  tracemalloc peak {_mib(run['traced_peak']):>7} MiB",
            flush=True,
        )
    return figures


def bench_database(
    databases: Databases, kind: str, rows: list[dict], generated: dict, profiles: dict
) -> None:
    """Fill one database and measure it."""
    args = databases.args
    url = databases.create(kind)
    gen = databases.run(
        url,
        {
            "step": "generate",
            "participants": args.participants,
            "rounds": args.rounds,
            "seed": args.seed,
        },
    )
    generated[kind] = gen
    print(
        f"{kind:<9}generated {gen['graded']:,} graded rounds of {gen['participants']:,}"
        f" participants in {gen['seconds']:.1f} s ({_mib(gen['database_bytes'])} MiB)",
        flush=True,
    )
    job = {
        "contest": gen["contest"],
        "limit": args.limit,
        "offset": args.participants // 2,
        "file": str(databases.tmp / "individuals.xlsx"),
    }
    row: dict = {"database": kind}
    for step, label, traced in STEPS:
        row[step] = measure_step(databases, url, {**job, "step": step}, kind, label, traced)
    row["plans"] = databases.run(url, {**job, "step": "explain", "traced": False})["plans"]
    for name, plan in row["plans"].items():
        for line in key_plan_lines(plan["plan"], kind == "postgres"):
            print(f"{kind:<9}{name + ' plan':<20}| {line}", flush=True)
    rows.append(row)
    if args.profile:
        prof = databases.run(url, {**job, "step": "profile", "traced": False})
        profiles[kind] = {**prof["profile"], "statements": prof["statements"]}
        print(f"{kind:<9}profiled compute_standings: {prof['seconds']:.1f} s", flush=True)
    databases.remove(kind)


# -- report -------------------------------------------------------------------------------------


def _mib(value: float | None) -> str:
    """Bytes as MiB with one decimal."""
    return "-" if value is None else f"{value / MIB:.1f}"


def _shorten(sql: str, length: int = 160) -> str:
    """A statement on one table row: its start, and its end when it is long."""
    sql = sql.replace("|", "/")
    return sql if len(sql) <= length else f"{sql[: length - 60]} … {sql[-55:]}"


def _mark(figures: dict) -> str:
    """' *' when other work competed with the measurement (its timing is unsure)."""
    return " *" if figures["others"] > BUSY_OTHERS_PERCENT else ""


def _times(figures: dict, scale: float = 1, digits: int = 2) -> str:
    """min / median of a measurement, marked when unsure."""
    low, middle = scale * figures["min"], scale * figures["median"]
    return f"{low:,.{digits}f} / {middle:,.{digits}f}{_mark(figures)}"


def _differ(what: str, first: list, second: list) -> str | None:
    """Where two lists of lines part, in words (None when they are the same)."""
    if first == second:
        return None
    line = next(
        (n for n, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )
    ours, theirs = first[line : line + 1], second[line : line + 1]
    return f"{what} differ from line {line + 1}: {ours} vs {theirs}"


def uses_ranking_index(plan: list[str]) -> bool:
    """Whether a plan reads the ranking's index."""
    return any(RANKING_INDEX in line for line in plan)


def sorts_everything(plan: list[str]) -> bool:
    """Whether a plan sorts its rows in full (SQLite's temporary B-tree, PostgreSQL's Sort; an
    Incremental Sort only orders the ties of rows already in order)."""
    return any(
        "TEMP B-TREE" in line or line.strip().startswith(("Sort ", "->  Sort ")) for line in plan
    )


def checks(row: dict, gen: dict, limit: int) -> tuple[list[str], list[str]]:
    """What is wrong with a database's results (empty: all sane), and notes on what was not
    compared."""
    problems: list[str | None] = []
    notes = []
    participants = gen["participants"]  # each has a best round (checked by the generation)
    board, deep = row["leaderboard"]["summary"], row["deep"]["summary"]
    standings, export = row["standings"]["summary"], row["export"]["summary"]
    frozen = row["freeze"]["summary"]
    if board["lines"] != min(limit, participants):
        problems.append(f"the leaderboard has {board['lines']} lines")
    if standings["individuals"] >= board["lines"]:
        problems.append(_differ("leaderboard and standings' head", board["top"], standings["top"]))
    else:
        notes.append(
            f"the standings' head has {standings['individuals']} lines, fewer than the"
            f" leaderboard's {board['lines']}: not compared"
        )
    offset = participants // 2
    if deep["lines"] != max(0, min(limit, participants - offset)):
        problems.append(f"the deep page has {deep['lines']} lines")
    problems.append(_differ("deep page and exported rows", deep["named"], export["sample"]))
    if deep["first"] and deep["first"]["rank"] > offset + 1:
        problems.append(f"the deep page starts at rank {deep['first']['rank']}, after {offset + 1}")
    if export["rows"] != participants:
        problems.append(f"the export has {export['rows']:,} rows")
    if frozen["stored"] != participants:
        problems.append(f"the freeze stored {frozen['stored']:,} lines")
    if frozen["rows"] != frozen["stored"]:
        problems.append(
            f"freeze_individual_ranking returned {frozen['rows']:,}, not the"
            f" {frozen['stored']:,} lines it stored"
        )
    problems.append(_differ("leaderboard and frozen ranking", board["top"], frozen["top"]))
    if standings["units"] != gen["units"]:
        problems.append(f"standings score {standings['units']} units")
    if standings["videos"] != gen["videos"]:
        problems.append(f"standings rank {standings['videos']} videos")
    for category in ("unit", "video", "individual"):
        awarded = standings["awards"].get(category, 0)
        pending = any(tie.startswith(category + ":") for tie in standings["pending_ties"])
        if awarded != 10 and not pending:
            problems.append(f"{awarded} {category} prizes and no pending tie")
    if not uses_ranking_index(row["plans"]["leaderboard"]["plan"]):
        problems.append(f"the leaderboard's plan does not read {RANKING_INDEX}")
    return [problem for problem in problems if problem], notes


def export_verdict(export: dict) -> str:
    """What the export's Python peak says about streaming (see the module docstring)."""
    summary, peak = export["summary"], export.get("traced_peak")
    held = summary.get("held_row_bytes")
    if not held or peak is None:
        return "not measured"
    holding = summary["rows"] * held
    share = peak / holding
    verdict = (
        f"too few rows to tell (under {TOO_FEW_TO_TELL:,})"
        if summary["rows"] < TOO_FEW_TO_TELL
        else "streams"
        if share < STREAMING_SHARE
        else "DOES NOT STREAM (holds about a row per row written)"
    )
    return (
        f"Python peak {_mib(peak)} MiB for {summary['rows']:,} rows; holding them would take"
        f" {_mib(holding)} MiB ({held:,.0f} B a row): {share:.0%} of that, {verdict}"
    )


def code_version(args: argparse.Namespace) -> str:
    """The platform's code fingerprint, and a warning when it changed during the run."""
    now = common.code_fingerprint()
    if now == args.code_at_start:
        return now
    return f"{now} (CHANGED during the run, from {args.code_at_start}: figures mix versions)"


def report(
    args: argparse.Namespace, rows: list[dict], generated: dict, profiles: dict, started: str
) -> str:
    """The whole report, in markdown (printed and written to bench/results/)."""
    any_generated = next(iter(generated.values()))
    lines = [
        f"# Results benchmark, {started}",
        "",
        f"{any_generated['participants']:,} participants in {any_generated['units']} units,"
        f" {any_generated['graded']:,} graded rounds (+{any_generated['running']:,} running),"
        f" {any_generated['videos']} videos x {JUDGES} judges; pages of {args.limit} lines, the"
        f" deep page at offset {args.participants // 2:,}; {args.repeat} run(s) each, each in a"
        f" fresh process; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; platform code"
        f" {code_version(args)}.",
        "",
        "Leaderboard and deep page: individual_leaderboard(contest, limit, offset). Standings:"
        " compute_standings(contest). Export: individual_sheet(individual_ranking(contest))"
        " written by write_xlsx to"
        " a file. Freeze: freeze_individual_ranking (no commit). Times are min / median;"
        " export rows/s from the median. tracemalloc: Python's peak in one more run (itself"
        " slower). RSS: the peak above the process's RSS once the app is up, highest of the runs"
        " (the client's memory; on SQLite also the engine's). * : other work used more than"
        f" {BUSY_OTHERS_PERCENT}% of a core meanwhile, the timing is unsure.",
        "",
        "| database | generation s | leaderboard ms | deep page ms | compute_standings s"
        " | standings tracemalloc MiB | export s | export rows/s | export tracemalloc / RSS MiB"
        " | freeze s | other CPU % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        export = row["export"]
        others = max(row[step]["others"] for step, _, _ in STEPS)
        lines.append(
            f"| {row['database']} | {generated[row['database']]['seconds']:.1f}"
            f" | {_times(row['leaderboard'], 1000, 1)} | {_times(row['deep'], 1000, 1)}"
            f" | {_times(row['standings'])} | {_mib(row['standings'].get('traced_peak'))}"
            f" | {_times(export)}"
            f" | {export['summary']['rows'] / export['median']:,.0f}{_mark(export)}"
            f" | {_mib(export.get('traced_peak'))} / {_mib(export['rss'])}"
            f" | {_times(row['freeze'])} | {others:.0f} |"
        )
    lines += [
        "",
        "Peak RSS above the baseline, MiB (highest of the runs):",
        "",
        "| database | baseline | " + " | ".join(label for _, label, _ in STEPS) + " |",
        "|---|---:|" + "---:|" * len(STEPS),
    ]
    for row in rows:
        baseline = min(row[step]["baseline"] for step, _, _ in STEPS)
        cells = " | ".join(_mib(row[step]["rss"]) for step, _, _ in STEPS)
        lines.append(f"| {row['database']} | {_mib(baseline)} | {cells} |")
    lines += ["", "Export (streaming):", ""]
    for row in rows:
        export = row["export"]
        lines.append(
            f"- {row['database']}: {_mib(export['summary']['bytes'])} MiB of XLSX;"
            f" {export_verdict(export)}; RSS +{_mib(export['rss'])} MiB."
        )
    lines += ["", "Generation (one process, one transaction):", ""]
    for kind, gen in generated.items():
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in gen["phases"].items())
        lines.append(
            f"- {kind}: {gen['seconds']:.1f} s ({phases});"
            f" {gen['graded'] / gen['phases']['rounds']:,.0f} rounds/s;"
            f" database {_mib(gen['database_bytes'])} MiB."
        )
    lines += ["", "Checks:", ""]
    for row in rows:
        standings = row["standings"]["summary"]
        problems, notes = checks(row, generated[row["database"]], args.limit)
        awards = ", ".join(f"{n} {category}" for category, n in standings["awards"].items())
        ties = "; ".join(standings["pending_ties"]) or "none"
        first = row["leaderboard"]["summary"]["first"]
        lines.append(
            f"- {row['database']}: "
            + ("OK." if not problems else "PROBLEMS: " + "; ".join(problems) + ".")
            + "".join(f" Note: {note}." for note in notes)
            + f" Standings' head: {standings['individuals']:,} lines. Awards: {awards};"
            f" pending ties: {ties}; {standings['total_amount']:,} VND. Leader:"
            f" {first['correct']} correct in {first['duration_ms']:,} ms ({first['unit']})."
        )
    for row in rows:
        postgres = row["database"] == "postgres"
        how = "EXPLAIN (ANALYZE, BUFFERS)" if postgres else "EXPLAIN QUERY PLAN"
        for name, plan in row["plans"].items():
            index = "reads" if uses_ranking_index(plan["plan"]) else "does NOT read"
            index += f" {RANKING_INDEX}" + ("; SORTS" if sorts_everything(plan["plan"]) else "")
            lines += [
                "",
                f"Plan of the {name}, {row['database']} ({how}; {index}):",
                "",
                "```",
                *plan["plan"],
                "```",
            ]
    if rows:
        sql = rows[0]["plans"]["leaderboard"]["sql"]
        lines += ["", "The leaderboard's SQL:", "", "```sql", sql, "```"]
    for kind, prof in profiles.items():
        lines += [
            "",
            f"cProfile of compute_standings, {kind} ({prof['seconds']:.2f} s under the profiler,"
            " which slows Python down, not the database):",
            "",
            "| platform function | calls | own s | cumulative s |",
            "|---|---:|---:|---:|",
            *(f"| {n} | {c:,} | {o:.3f} | {t:.3f} |" for n, c, o, t in prof["platform"]),
            "",
            "| function (own time) | calls | own s | cumulative s |",
            "|---|---:|---:|---:|",
            *(f"| {n} | {c:,} | {o:.3f} | {t:.3f} |" for n, c, o, t in prof["own"]),
            "",
            f"compute_standings' SQL, {kind}: each statement run again alone, every row fetched"
            " (without the ORM's row processing):",
            "",
            "| statement | rows | s |",
            "|---|---:|---:|",
            *(
                f"| `{_shorten(item['sql'])}` | {item['rows']:,} | {item['seconds']:.3f} |"
                for item in prof["statements"]
            ),
        ]
        for item in prof["statements"]:
            if "plan" in item:
                lines += ["", f"Plan of the slowest, {kind}:", "", "```", *item["plan"], "```"]
    return "\n".join(lines) + "\n"


# -- main ---------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """The options (see --help); comma-separated lists become lists."""
    parser = common.option_parser("the leaderboard, the standings, the export and the freeze")
    parser.add_argument("--participants", type=int, default=100_000, help="spread over 46 units")
    parser.add_argument("--rounds", type=int, default=1_000_000, help="graded rounds in all")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    common.add_postgres_option(parser)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--limit", type=int, default=100, help="lines of a leaderboard page")
    parser.add_argument("--seed", type=int, default=SEED, help="of the generated data")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile compute_standings and list its top"
    )
    common.add_wait_quiet_option(parser, "measurement")
    args = parser.parse_args()
    args.databases = common.database_list(parser, args.databases)
    if not 0 < args.participants < 2**USER_BITS:
        parser.error(f"--participants must be between 1 and {2**USER_BITS - 1}")
    if not MIN_ROUNDS * args.participants <= args.rounds <= MAX_ROUNDS * args.participants:
        parser.error(f"--rounds must be {MIN_ROUNDS}-{MAX_ROUNDS} times --participants")
    if args.repeat < 1 or args.limit < 1:
        parser.error("--repeat and --limit must be positive")
    return args


def main() -> int:
    """Fill each database, measure it, print and save the report; the exit status."""
    if common.is_child():
        return common.child_main(measure_job)
    args = parse_args()
    args.code_at_start = common.code_fingerprint()
    print(f"platform code {args.code_at_start}", flush=True)
    rows: list[dict] = []
    generated: dict = {}
    profiles: dict = {}

    def measure_all(tmp: Path, stack: contextlib.ExitStack) -> None:
        databases = Databases(args, stack, tmp)
        for kind in args.databases:
            bench_database(databases, kind, rows, generated, profiles)

    def summary(started: str) -> str | None:
        return report(args, rows, generated, profiles, started) if rows else None

    return common.run_benchmark("results", measure_all, summary)


if __name__ == "__main__":
    sys.exit(main())
