"""Benchmark of the question-bank import: validate and import a large XLSX and GIFT file.

Run from the repository root (about 3 minutes with the defaults; PostgreSQL on 127.0.0.1:5432):

    .venv/bin/python -m bench.import_bank [--questions 20000] [--databases sqlite,postgres]
                                          [--formats xlsx,gift] [--postgres URL] [--keep-files]

It writes N distinct questions (Vietnamese text of 150-250 characters, four choices of 40-80,
ten topics, difficulty, citation; the number is in the text) to bench/results/bank-N.xlsx and
bank-N.gift with the platform's own writers (write_xlsx, write_gift), streaming from a
generator; and the same at N/4 for the memory growth check.

For each database (an SQLite file in a temporary folder; a throwaway PostgreSQL database
bench_import_<pid> on the --postgres server, created and dropped over a psycopg autocommit
connection) and each file, every measurement runs in a fresh Python process on a freshly
migrated, empty database (`flask --app wsgi db upgrade` once, then a copy of that database):

  validate  contest.questions.services.validate_file (reads and checks; writes nothing)
  import    contest.questions.services.import_file + commit (all or nothing, batched inserts)

Each measurement runs twice, in two processes: once plain, for the wall time, questions/s and
peak RSS; once under tracemalloc, for the peak of Python allocations (tracemalloc slows Python
down and adds its own memory per live block, so it would spoil the other two figures).

Peak RSS is the process's high-water mark (VmHWM) minus its RSS once the app is up (baseline),
the high-water mark being reset at the baseline. Not getrusage's ru_maxrss: a child's
ru_maxrss starts at its parent's high-water mark (Linux keeps it across fork and exec), so it
would show this script's memory rather than the measurement's. Linux only (/proc/self).

Memory growth check: the difference of the peaks between N and N/4 questions, per 1,000
questions, against the bytes one question takes in the file. An import that streams holds a
batch of questions and, for the duplicate check, a fingerprint and a location per question
read; one that holds rows or the file grows like the file. The verdicts are printed, never
asserted. The results table is printed and written to bench/results/import_bank-<time>.md;
the bank files are deleted at the end unless --keep-files.
"""

import argparse
import contextlib
import ctypes
import gc
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.quiz_load import code_fingerprint
from contest.domain.question_files.gift import write_gift
from contest.domain.question_files.tabular import write_xlsx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
MIB = 1024 * 1024
SEED = 20_000  # the same questions on every run, so runs compare
CHILD_TIMEOUT = 1800  # seconds; far above a measurement (a hung child must not hang the run)

TOPICS = (
    "Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030",
    "Các chỉ số PAR Index, SIPAS, PAPI, PCI",
    "Chỉ thị 10/CT-TTg về xử lý, ngăn chặn tình trạng nhũng nhiễu, gây phiền hà",
    "Chỉ thị 26/CT-TTg về tăng cường kỷ luật, kỷ cương hành chính",
    "Dịch vụ công trực tuyến, thủ tục hành chính điện tử và bưu chính công ích",
    "Luật Cán bộ, công chức 2008 (sửa đổi, bổ sung năm 2019)",
    "Luật Tổ chức chính quyền địa phương 2015 (sửa đổi, bổ sung năm 2019)",
    "Luật Viên chức 2010 (sửa đổi, bổ sung năm 2019)",
    "Cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
    "Đề án Văn hóa công vụ (Quyết định 1847/QĐ-TTg)",
)
OPENERS = (
    "trong quá trình tiếp nhận hồ sơ tại Bộ phận Một cửa của Ủy ban nhân dân cấp xã",
    "khi tổ chức, cá nhân nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia",
    "trong đợt kiểm tra công vụ định kỳ do Sở Nội vụ tỉnh chủ trì thực hiện",
    "khi người dân phản ánh về thái độ phục vụ của công chức tại nơi tiếp nhận hồ sơ",
    "trong quá trình đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức hằng năm",
    "khi hồ sơ giải quyết thủ tục hành chính bị quá hạn so với thời gian đã hẹn trả",
    "trong việc triển khai Chương trình tổng thể cải cách hành chính tại địa phương",
    "khi cơ quan chuyên môn cấp tỉnh xây dựng kế hoạch chuyển đổi số năm tiếp theo",
    "trong quá trình thực hiện cơ chế một cửa liên thông giữa cấp huyện và cấp tỉnh",
    "khi đơn vị sự nghiệp công lập tổ chức tuyển dụng viên chức theo vị trí việc làm",
)
SUBJECTS = (
    "công chức tiếp nhận và trả kết quả",
    "người đứng đầu cơ quan, đơn vị",
    "viên chức được giao thẩm định hồ sơ",
    "Chủ tịch Ủy ban nhân dân cấp huyện",
    "cán bộ, công chức cấp xã",
    "Văn phòng Ủy ban nhân dân cấp tỉnh",
    "cơ quan có thẩm quyền giải quyết",
    "người làm việc tại Trung tâm Phục vụ hành chính công",
)
ASKS = (
    "{subject} phải thực hiện trách nhiệm nào sau đây theo quy định hiện hành",
    "thời hạn tối đa để {subject} thông báo bằng văn bản cho tổ chức, cá nhân là bao lâu",
    "{subject} có được yêu cầu người dân bổ sung giấy tờ ngoài danh mục đã công bố không",
    "hành vi nào sau đây của {subject} bị coi là vi phạm kỷ luật, kỷ cương hành chính",
    "{subject} cần xin lỗi tổ chức, cá nhân bằng hình thức nào khi để hồ sơ trễ hẹn",
    "nội dung nào sau đây thuộc trách nhiệm của {subject} trong việc công khai thủ tục",
)
CHOICES = (
    "Thông báo bằng văn bản và nêu rõ lý do cho tổ chức, cá nhân",
    "Hướng dẫn đầy đủ, một lần để người nộp hoàn thiện hồ sơ",
    "Chuyển hồ sơ đến cơ quan có thẩm quyền trong ngày làm việc",
    "Báo cáo người đứng đầu cơ quan để xem xét, quyết định",
    "Không quá 03 ngày làm việc kể từ ngày nhận hồ sơ",
    "Không quá 05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ theo quy định",
    "Trong thời hạn 15 ngày kể từ ngày phát hiện sai sót",
    "Gửi văn bản xin lỗi và hẹn lại ngày trả kết quả",
    "Được, nếu thấy cần thiết cho việc thẩm định hồ sơ",
    "Không được yêu cầu thêm ngoài thành phần hồ sơ đã công khai",
    "Công khai trên Cổng thông tin điện tử và niêm yết tại trụ sở làm việc",
    "Niêm yết tại nơi tiếp nhận hồ sơ, bảo đảm dễ tiếp cận, dễ sử dụng, dễ tra cứu",
    "Tự ý đặt thêm thủ tục, giấy tờ ngoài quy định của pháp luật",
    "Gây phiền hà, sách nhiễu trong quá trình giải quyết công việc của người dân",
    "Lập biên bản và chuyển cơ quan thanh tra xử lý theo thẩm quyền",
    "Tổ chức đối thoại trực tiếp với người dân tại trụ sở tiếp công dân",
    "Cập nhật tình trạng hồ sơ lên Hệ thống thông tin giải quyết thủ tục hành chính",
    "Từ chối tiếp nhận",
)
LAWS = (
    "Luật Cán bộ, công chức năm 2008 (sửa đổi, bổ sung năm 2019)",
    "Luật Viên chức năm 2010 (sửa đổi, bổ sung năm 2019)",
    "Nghị định số 61/2018/NĐ-CP về thực hiện cơ chế một cửa",
    "Nghị định số 107/2021/NĐ-CP sửa đổi Nghị định 61/2018/NĐ-CP",
    "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ",
    "Chỉ thị số 26/CT-TTg ngày 05/9/2016 của Thủ tướng Chính phủ",
    "Quyết định số 1847/QĐ-TTg ngày 27/12/2018 của Thủ tướng Chính phủ",
    "Luật Tổ chức chính quyền địa phương năm 2015",
)
DIFFICULTIES = ("easy", "medium", "medium", "hard", None)  # unrated questions exist too
TEXT_LENGTHS = (150, 250)
CHOICE_LENGTHS = (40, 80)
CHOICE_FILLER = " theo quy định"  # lengthens a short choice into the 40-80 range


class BenchError(RuntimeError):
    """The benchmark cannot go on."""


@dataclass(frozen=True, slots=True)
class BankQuestion:
    """One generated question, in the shape the platform's writers take (BankEntry)."""

    topic: str
    text: str
    choices: tuple[str, ...]
    correct_index: int
    difficulty: str | None
    citation: str | None


# -- the question files -----------------------------------------------------------------------


def generate_questions(count: int, seed: int = SEED) -> Iterator[BankQuestion]:
    """`count` distinct questions, one at a time, grouped by topic as an export groups them."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        law = rng.choice(LAWS)
        ask = rng.choice(ASKS).format(subject=rng.choice(SUBJECTS))
        opener = rng.choice(OPENERS)
        # The number makes every text distinct (the import refuses duplicates).
        text = f"Câu {number}. Theo {law}, {opener}, {ask}?"
        if len(text) > TEXT_LENGTHS[1]:
            text = f"Câu {number}. {opener[0].upper()}{opener[1:]}, {ask}?"
        if len(text) < TEXT_LENGTHS[0]:
            text += " Chọn phương án đúng nhất."
        choices = []
        for choice in rng.sample(CHOICES, 4):
            while len(choice) < CHOICE_LENGTHS[0]:
                choice += CHOICE_FILLER
            choices.append(choice)
        yield BankQuestion(
            topic=TOPICS[(number - 1) * len(TOPICS) // count],
            text=text,
            choices=tuple(choices),
            correct_index=rng.randrange(4),
            difficulty=rng.choice(DIFFICULTIES),
            citation=f"{law}, Điều {rng.randint(1, 90)}, khoản {rng.randint(1, 6)}",
        )


def bank_file(count: int, file_format: str) -> Path:
    return RESULTS / f"bank-{count}.{file_format}"


def write_bank_file(count: int, file_format: str) -> Path:
    """Write the generated questions with the platform's writer; return the file's path."""
    path = bank_file(count, file_format)
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "xlsx":
        with path.open("wb") as out:
            write_xlsx(generate_questions(count), out)
    else:
        with path.open("w", encoding="utf-8", newline="\n") as out:
            write_gift(generate_questions(count), out)
    return path


# -- one measurement, in a fresh process -------------------------------------------------------


def _status_kib(field: str) -> int:
    """A field of /proc/self/status, in KiB (VmRSS, VmHWM)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise BenchError(f"/proc/self/status has no {field}")


def _settle_memory() -> None:
    """Free what can be freed, so the baseline RSS is what the process really holds."""
    gc.collect()
    # Memory glibc keeps after free() would be reused without raising the RSS: the growth
    # would look smaller than it is. malloc_trim hands it back first (glibc only).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def measure(step: str, path: Path, traced: bool) -> dict:
    """Run validate_file or import_file + commit on `path` in this process; return the figures."""
    from sqlalchemy import func, select, text

    from contest import create_app
    from contest.extensions import db
    from contest.models import Choice, Question
    from contest.questions import services

    app = create_app()
    with app.app_context():
        # Connect and query once, so the connection and the first query's setup are baseline.
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        _settle_memory()
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        baseline_kib = _status_kib("VmRSS")
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        with path.open("rb") as stream:
            if step == "validate":
                report = services.validate_file(stream, path.name)
            else:
                report = services.import_file(stream, path.name, datetime.now(UTC))
                db.session.commit()
        seconds = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
        tracemalloc.stop()
        peak_kib = _status_kib("VmHWM")
        stored = db.session.scalar(select(func.count(Question.id)))
        choices = db.session.scalar(select(func.count(Choice.id)))
        db.session.rollback()
    return {
        "seconds": seconds,
        "valid": report.valid,
        "imported": report.imported,
        "problems": [f"{p.location}: {p.code.value}" for p in report.problems[:5]],
        "stored_questions": stored,
        "stored_choices": choices,
        "baseline_rss": baseline_kib * 1024,
        "rss_growth": (peak_kib - baseline_kib) * 1024,
        "traced_peak": traced_peak,
    }


def child_main(spec: str) -> int:
    """The measuring process: its arguments come as JSON, its figures go to a JSON file."""
    job = json.loads(spec)
    result = measure(job["step"], Path(job["file"]), job["traced"])
    Path(job["out"]).write_text(json.dumps(result))
    return 0


# -- databases ----------------------------------------------------------------------------------


class Databases:
    """Empty migrated databases: one migration per kind, then a fresh copy per measurement."""

    def __init__(self, args: argparse.Namespace, stack: contextlib.ExitStack, tmp: Path) -> None:
        self.args, self.stack, self.tmp = args, stack, tmp
        self.name = f"bench_import_{os.getpid()}"
        self.template = f"{self.name}_empty"
        parts = urlsplit(args.postgres)
        query = f"?{parts.query}" if parts.query else ""
        self.admin_url = f"postgresql://{parts.netloc}/postgres{query}"  # psycopg's own form
        self.postgres_url = f"postgresql+psycopg://{parts.netloc}/{self.name}{query}"
        self.postgres_ready = False

    def env(self, url: str) -> dict[str, str]:
        """The app's environment: this database, a throwaway key, no scheduler, no Redis."""
        env = {k: v for k, v in os.environ.items() if k not in ("DEMO", "RUN_SCHEDULER")}
        env.update(
            DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32), REDIS_URL="", PYTHONUNBUFFERED="1"
        )
        return env

    def migrate(self, url: str) -> None:
        command = [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"]
        done = subprocess.run(
            command, cwd=ROOT, env=self.env(url), capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise BenchError(f"flask db upgrade failed:\n{done.stderr[-3000:]}")

    def fresh(self, kind: str) -> str:
        """An empty migrated database of `kind` (replacing the previous one); its URL."""
        if kind == "sqlite":
            template, path = self.tmp / "empty.db", self.tmp / "bench.db"
            if not template.exists():
                self.migrate(f"sqlite:///{template}")
            for leftover in (path, path.with_name("bench.db-wal"), path.with_name("bench.db-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        if not self.postgres_ready:
            self._admin(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
            self._admin(f"CREATE DATABASE {self.template}")
            self.stack.callback(self._drop, self.template)
            self.stack.callback(self._drop, self.name)
            self.migrate(self.postgres_url.replace(f"/{self.name}", f"/{self.template}", 1))
            self.postgres_ready = True
        # A copy of the migrated template: faster than migrating, and as empty.
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {self.name} TEMPLATE {self.template}")
        return self.postgres_url

    def _admin(self, statement: str) -> None:
        import psycopg

        try:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(statement)
        except psycopg.Error as error:
            raise BenchError(
                f"PostgreSQL at {self.admin_url}: {error}(--databases sqlite skips PostgreSQL)"
            ) from None

    def _drop(self, name: str) -> None:
        try:
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except BenchError as error:
            print(f"could not drop database {name}: {error}", file=sys.stderr)


def run_child(databases: Databases, kind: str, step: str, path: Path, traced: bool) -> dict:
    """One measurement in a fresh process on a fresh empty database."""
    url = databases.fresh(kind)
    out = databases.tmp / "result.json"
    out.unlink(missing_ok=True)
    spec = json.dumps({"step": step, "file": str(path), "traced": traced, "out": str(out)})
    command = [sys.executable, "-m", "bench.import_bank", "--child", spec]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=databases.env(url),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    if done.returncode != 0 or not out.exists():
        raise BenchError(f"{kind} {step} {path.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


def measure_case(databases: Databases, kind: str, step: str, path: Path, count: int) -> dict:
    """Plain run (time, RSS) and tracemalloc run (Python peak) of one case; checks the result."""
    plain = run_child(databases, kind, step, path, traced=False)
    traced = run_child(databases, kind, step, path, traced=True)
    expected_rows = count if step == "import" else 0
    for run in (plain, traced):
        wrong = (
            run["valid"] != count
            or run["problems"]
            or run["stored_questions"] != expected_rows
            or run["stored_choices"] != 4 * expected_rows
        )
        if wrong:
            raise BenchError(f"{kind} {step} {path.name}: unexpected result {run}")
    return {
        "database": kind,
        "format": path.suffix.lstrip("."),
        "step": step,
        "questions": count,
        "seconds": plain["seconds"],
        "per_second": count / plain["seconds"],
        "traced_peak": traced["traced_peak"],
        "traced_seconds": traced["seconds"],
        "rss_growth": plain["rss_growth"],
        "baseline_rss": plain["baseline_rss"],
        "file_bytes": path.stat().st_size,
    }


# -- report -------------------------------------------------------------------------------------


def _mib(value: float) -> str:
    return f"{value / MIB:.1f}"


def results_table(rows: list[dict]) -> list[str]:
    lines = [
        "| database | format | step | questions | file MiB | wall s | questions/s"
        " | tracemalloc peak MiB | RSS peak - baseline MiB | baseline RSS MiB |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['database']} | {row['format']} | {row['step']} | {row['questions']:,}"
            f" | {_mib(row['file_bytes'])} | {row['seconds']:.2f} | {row['per_second']:,.0f}"
            f" | {_mib(row['traced_peak'])} | {_mib(row['rss_growth'])}"
            f" | {_mib(row['baseline_rss'])} |"
        )
    return lines


def growth_verdict(per_question: float, file_per_question: float) -> str:
    """What the growth per question read says about streaming (the reasons are in the docstring)."""
    # Streaming keeps, per question read, the duplicate check's fingerprint (a 40-character
    # str) and the location of its first copy: a few hundred bytes. Holding the rows or the
    # file costs at least what a question takes in the file, and usually several times more.
    if per_question < 0.5 * file_per_question:
        return "streams (per-question bookkeeping only)"
    return "GROWS WITH THE FILE (holds rows or file content)"


def growth_table(rows: list[dict], small: int, large: int) -> list[str]:
    lines = [
        f"| database | format | step | tracemalloc {large:,} - {small:,} MiB | per question B"
        f" | RSS {large:,} - {small:,} MiB | per question B | file B/question | verdict |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    by_case = {(r["database"], r["format"], r["step"], r["questions"]): r for r in rows}
    for (kind, file_format, step, count), big in by_case.items():
        little = by_case.get((kind, file_format, step, small))
        if count != large or little is None:
            continue
        added = large - small
        traced = (big["traced_peak"] - little["traced_peak"]) / added
        rss = (big["rss_growth"] - little["rss_growth"]) / added
        in_file = big["file_bytes"] / large
        lines.append(
            f"| {kind} | {file_format} | {step}"
            f" | {_mib(big['traced_peak'] - little['traced_peak'])} | {traced:,.0f}"
            f" | {_mib(big['rss_growth'] - little['rss_growth'])} | {rss:,.0f}"
            f" | {in_file:,.0f} | {growth_verdict(traced, in_file)} |"
        )
    return lines


def report(args: argparse.Namespace, rows: list[dict], sizes: list[int], started: str) -> str:
    lines = [
        f"# Question-bank import benchmark, {started}",
        "",
        f"{args.questions:,} questions (and {sizes[-1]:,} for the growth check);"
        f" databases {', '.join(args.databases)}; formats {', '.join(args.formats)};"
        f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs;"
        f" platform code {code_fingerprint()}.",
        "Wall time and RSS from a plain run; tracemalloc peak from a second run under"
        " tracemalloc. Every run: a fresh process, a fresh empty migrated database.",
        "",
        *results_table(rows),
    ]
    if len(sizes) > 1:
        lines += [
            "",
            f"Memory growth from {sizes[1]:,} to {sizes[0]:,} questions (per question read):",
            "",
            *growth_table(rows, sizes[1], sizes[0]),
        ]
    return "\n".join(lines) + "\n"


# -- main ---------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark of the question-bank import (see the module docstring).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--questions", type=int, default=20_000, help="questions per file")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--formats", default="xlsx,gift", help="comma-separated")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/",
        help="PostgreSQL server; the throwaway database is created and dropped on it",
    )
    parser.add_argument(
        "--keep-files", action="store_true", help="keep bench/results/bank-N.* afterwards"
    )
    args = parser.parse_args()
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if unknown := set(args.databases) - {"sqlite", "postgres"}:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    if unknown := set(args.formats) - {"xlsx", "gift"}:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    if args.questions < 1 or not args.databases or not args.formats:
        parser.error("--questions must be positive; --databases and --formats not empty")
    return args


def _interrupted(signum, frame) -> None:
    """SIGTERM: unwind like Ctrl+C, so the databases are dropped and the files removed."""
    raise KeyboardInterrupt


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        return child_main(sys.argv[2])
    args = parse_args()
    signal.signal(signal.SIGTERM, _interrupted)
    started = datetime.now().astimezone()
    # N and N/4: the difference of their peaks is the growth with the file.
    sizes = [args.questions] + ([args.questions // 4] if args.questions >= 4 else [])
    rows: list[dict] = []
    with contextlib.ExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        databases = Databases(args, stack, tmp)
        try:
            files = {}
            for count in sizes:
                for file_format in args.formats:
                    if not args.keep_files:
                        stack.callback(bank_file(count, file_format).unlink, missing_ok=True)
                    clock = time.perf_counter()
                    path = write_bank_file(count, file_format)
                    files[count, file_format] = path
                    print(
                        f"wrote {path.relative_to(ROOT)}: {count:,} questions,"
                        f" {_mib(path.stat().st_size)} MiB in {time.perf_counter() - clock:.1f} s",
                        flush=True,
                    )
            for kind in args.databases:
                for file_format in args.formats:
                    for count in sizes:
                        for step in ("validate", "import"):
                            row = measure_case(
                                databases, kind, step, files[count, file_format], count
                            )
                            rows.append(row)
                            print(
                                f"{kind:<9}{file_format:<5}{step:<9}{count:>7,} questions"
                                f"{row['seconds']:8.2f} s{row['per_second']:9,.0f}/s"
                                f"  tracemalloc {_mib(row['traced_peak']):>6} MiB"
                                f"  RSS +{_mib(row['rss_growth']):>6} MiB",
                                flush=True,
                            )
        except BenchError as error:
            print(f"\nbenchmark failed: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted: cleaning up", file=sys.stderr)
            return 130
        finally:
            if rows:
                text = report(args, rows, sizes, started.strftime("%Y-%m-%d %H:%M %Z"))
                print("\n" + text)
                RESULTS.mkdir(parents=True, exist_ok=True)
                out = RESULTS / f"import_bank-{started.strftime('%Y%m%d-%H%M%S')}.md"
                out.write_text(text, encoding="utf-8")
                print(f"Results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
