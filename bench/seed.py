"""Fill a fresh, migrated bench database: units, participants, an open contest and the bank.

Also creates the ceiling app's table (bench/ceiling_app.py). Run from the repository root on a
database that `flask --app wsgi db upgrade` has just built:

    DATABASE_URL=... .venv/bin/python -m bench.seed --participants 2000

Participant n (1-based) logs in with phone PHONE_PREFIX + n on 7 digits and BENCH_PASSWORD.
"""

import argparse
import os
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from bench import ceiling_app
from contest import create_app
from contest.demo import POSITIONS, UNIT_GROUPS, demo_name
from contest.extensions import db
from contest.models import (
    Contest,
    Question,
    ReviewPolicy,
    Role,
    Unit,
    UnitGroup,
    User,
    UserRole,
)
from contest.questions.services import load_platform_bank

BENCH_PASSWORD = "bench-pass"  # noqa: S105 (throwaway accounts of a throwaway database)
PHONE_PREFIX = "097"
ROUND_TIME_LIMIT_SECONDS = 3600


def participant_phone(number: int, prefix: str = PHONE_PREFIX) -> str:
    """The phone number participant `number` logs in with (a valid Vietnamese number)."""
    return f"{prefix}{number:07d}"


def seed(
    participants: int,
    now: datetime,
    password: str = BENCH_PASSWORD,
    phone_prefix: str = PHONE_PREFIX,
) -> dict[str, int]:
    """Add everything the benchmark needs to the current app's database; return counts."""
    units = _units()
    _participants(participants, units, password, phone_prefix)
    questions = _questions(now)
    contest = _contest(now)
    db.session.flush()
    return {
        "units": len(units),
        "participants": participants,
        "questions": questions,
        "contest": contest.id,
    }


def _units() -> list[int]:
    unit_ids = []
    for group_position, (group_code, group_name, members) in enumerate(UNIT_GROUPS, 1):
        group = UnitGroup(code=group_code, name=group_name, position=group_position)
        db.session.add(group)
        for position, (code, name, headcount) in enumerate(members, 1):
            unit = Unit(code=code, name=name, group=group, headcount=headcount, position=position)
            db.session.add(unit)
            db.session.flush()
            unit_ids.append(unit.id)
    return unit_ids


def _participants(count: int, unit_ids: list[int], password: str, prefix: str) -> None:
    """Bulk inserts with one password hash: scrypt is slow on purpose, once is enough."""
    password_hash = generate_password_hash(password)
    rows = [
        {
            "full_name": demo_name(n),
            "phone": participant_phone(n, prefix),
            "username": None,
            "position": POSITIONS[n % len(POSITIONS)],
            "unit_id": unit_ids[(n - 1) % len(unit_ids)],
            "password_hash": password_hash,
            "is_active_account": True,
        }
        for n in range(1, count + 1)
    ]
    for start in range(0, len(rows), 1000):
        db.session.execute(insert(User), rows[start : start + 1000])
    user_ids = db.session.scalars(
        select(User.id).where(User.phone.like(f"{prefix}%")).order_by(User.id)
    ).all()
    roles = [{"user_id": user_id, "role": Role.PARTICIPANT} for user_id in user_ids]
    for start in range(0, len(roles), 1000):
        db.session.execute(insert(UserRole), roles[start : start + 1000])


def _questions(now: datetime) -> int:
    """The platform's own bank (every question has four choices)."""
    load_platform_bank(now)
    return db.session.scalar(select(func.count(Question.id)).where(Question.active.is_(True)))


def _contest(now: datetime) -> Contest:
    """A contest whose quiz is open now, with no attempt limits and long rounds."""
    contest = Contest(
        slug="bench",
        name="Hội thi trực tuyến Cải cách hành chính (bài đo tải)",
        organizer_name="Sở Nội vụ",
        description="Cơ sở dữ liệu dùng một lần cho bài đo tải.",
        quiz_opens_at=now - timedelta(hours=1),
        quiz_closes_at=now + timedelta(days=30),
        video_opens_at=now - timedelta(hours=1),
        video_closes_at=now + timedelta(days=30),
        results_publish_at=now + timedelta(days=44),
        questions_per_round=10,
        round_time_limit_seconds=ROUND_TIME_LIMIT_SECONDS,
        submission_grace_seconds=5,
        max_attempts_total=None,
        max_attempts_per_day=None,
        # A load test's clients play round after round: no pace limit (its default is 6 an hour).
        max_starts_per_hour=None,
        review_policy=ReviewPolicy.AFTER_SUBMIT,
    )
    db.session.add(contest)
    return contest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--password", default=BENCH_PASSWORD)
    parser.add_argument("--phone-prefix", default=PHONE_PREFIX)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(16)})
    with app.app_context():
        counts = seed(args.participants, datetime.now(UTC), args.password, args.phone_prefix)
        db.session.commit()
        db.engine.dispose()
    ceiling_app.create_table(url)
    print(
        f"seeded {counts['participants']} participants in {counts['units']} units, "
        f"{counts['questions']} active questions, contest {counts['contest']}"
    )


if __name__ == "__main__":
    main()
