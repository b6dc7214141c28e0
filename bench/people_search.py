"""Benchmark of the organizers' account search (contest.people.services.search_accounts) over
--users accounts, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.people_search [--users 100000] [--databases sqlite,postgres]
                                            [--postgres URL] [--repeat 5]

Each database (an SQLite file in a temporary folder; a throwaway database bench_people_<pid>
on the --postgres server) is migrated, then given the 46 units of the demo and --users
participants with Vietnamese names drawn from common family, middle and given names (fixed
seed), inserted in bulk with the search key the model would write. Then each query's first
page (50 lines) is timed, min and median of --repeat runs, in milliseconds: a frequent name
(the index gives the page at once), a rare one and one that matches nobody (the whole index is
walked), a phone number, a unit's name.
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.pool import NullPool

from contest import create_app
from contest.demo import UNIT_GROUPS
from contest.domain.text import search_fold
from contest.extensions import db
from contest.models import Unit, UnitGroup, User
from contest.people.services import search_accounts

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
]
QUERIES = {
    "frequent name": "nguyen van",
    "rare name": "vo thu yen 9",
    "nobody": "khong co ai",
    "phone": "0900012345",
    "unit": "so noi vu",
}


def fill(users: int) -> None:
    rng = random.Random(12)
    units = []
    for position, (code, name, members) in enumerate(UNIT_GROUPS, 1):
        group = UnitGroup(code=code, name=name, position=position)
        db.session.add(group)
        for unit_position, member in enumerate(members, 1):
            units.append(Unit(code=member[0], name=member[1], group=group, position=unit_position))
    db.session.add_all(units)
    db.session.flush()
    unit_ids = [unit.id for unit in units]
    rows = []
    for n in range(users):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {n}"
        phone = f"09{n:08d}"
        rows.append(
            {
                "full_name": name,
                "phone": phone,
                "unit_id": rng.choice(unit_ids),
                "password_hash": "x",
                "is_active_account": True,
                "must_change_password": False,
                "search_key": search_fold(f"{name} {phone}"),
            }
        )
    for start in range(0, users, 10_000):
        db.session.execute(sa.insert(User.__table__), rows[start : start + 10_000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("VACUUM ANALYZE users"))


def measure(url: str, users: int, repeat: int) -> dict[str, tuple[float, float]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        fill(users)
        results = {}
        for label, query in QUERIES.items():
            times = []
            for _ in range(repeat):
                db.session.expunge_all()
                start = time.perf_counter()
                found = search_accounts(query)
                times.append((time.perf_counter() - start) * 1000)
            results[label] = (min(times), statistics.median(times), len(found.people))
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for database in args.databases.split(","):
        if database == "sqlite":
            folder = Path(tempfile.mkdtemp())
            results = measure(f"sqlite:///{folder / 'people.db'}", args.users, args.repeat)
        else:
            server = sa.engine.make_url(args.postgres)
            name = f"bench_people_{random.randrange(10**6)}"
            admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with admin.connect() as c:
                c.execute(sa.text(f'CREATE DATABASE "{name}"'))
            try:
                url = server.set(database=name).render_as_string(hide_password=False)
                results = measure(url, args.users, args.repeat)
            finally:
                with admin.connect() as c:
                    c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print(f"{database}, {args.users} accounts: query min / median ms (lines on the page)")
        for label, (best, median, lines) in results.items():
            print(f"  {label:14} {best:7.1f} / {median:7.1f}  ({lines})")


if __name__ == "__main__":
    main()
