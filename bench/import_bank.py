"""Benchmark of the question-bank import: validate and import a large XLSX and GIFT file.

Run from the repository root (about 13 minutes with the defaults; PostgreSQL on 127.0.0.1:5432):

    .venv/bin/python -m bench.import_bank [--questions 20000] [--databases sqlite,postgres]
                                          [--formats xlsx,gift] [--postgres URL] [--keep-files]
                                          [--wait-quiet 20]

It writes N distinct questions (Vietnamese text of 150-250 characters, four choices of 40-80,
ten topics, difficulty, citation; the number is in the text) to bank-N.xlsx and bank-N.gift
with the platform's own writers (write_xlsx, write_gift), streaming from a generator; and the
same at N/4 for the memory growth check. The files are written in the run's temporary folder,
so that two runs at once cannot rewrite or delete each other's files mid-measurement;
--keep-files moves them to bench/results/ at the end.

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

Memory growth check: the difference of the peaks between N and N/4 questions, per question
read, against what one question costs in memory as the importer holds it (a CheckedQuestion,
measured with tracemalloc on the first 1,000 of the file). An import that streams holds one
batch of questions plus, for the duplicate check, a fingerprint and a location per question
read; one that keeps the rows or the file grows by at least a question per question. The
verdicts are printed, never asserted.

Timings are only as good as the machine is quiet: before each measurement it waits (up to
--wait-quiet seconds) for the CPUs to calm down, and marks the rows measured on a busy machine.
The results table is printed and written to bench/results/import_bank-<time>.md.
"""

import argparse
import contextlib
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import common
from bench.common import BUSY_OTHERS_PERCENT, MIB, RESULTS, ROOT, BenchError
from contest.domain.question_files import read_question_file
from contest.domain.question_files.gift import write_gift
from contest.domain.question_files.tabular import write_xlsx
from contest.domain.question_files.validation import check_questions
from contest.questions.services import INSERT_BATCH

SEED = 20_000  # the same questions on every run, so runs compare

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


def write_bank_file(folder: Path, count: int, file_format: str) -> Path:
    """Write the generated questions with the platform's writer; return the file's path."""
    path = folder / f"bank-{count}.{file_format}"
    if file_format == "xlsx":
        with path.open("wb") as out:
            write_xlsx(generate_questions(count), out)
    else:
        with path.open("w", encoding="utf-8", newline="\n") as out:
            write_gift(generate_questions(count), out)
    return path


def held_question_bytes(path: Path, sample: int = 1000) -> float:
    """What one question costs in memory as the importer yields it (a CheckedQuestion)."""
    with path.open("rb") as stream:
        return common.held_item_bytes(
            check_questions(read_question_file(stream, path.name)), sample
        )


# -- one measurement, in a fresh process -------------------------------------------------------


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
        with common.Peaks(traced) as peaks, path.open("rb") as stream:
            if step == "validate":
                report = services.validate_file(stream, path.name)
            else:
                report = services.import_file(stream, path.name, datetime.now(UTC))
                db.session.commit()
        stored = db.session.scalar(select(func.count(Question.id)))
        choices = db.session.scalar(select(func.count(Choice.id)))
        db.session.rollback()
    return {
        **peaks.figures(),
        "valid": report.valid,
        "imported": report.imported,
        "problems": [f"{p.location}: {p.code.value}" for p in report.problems[:5]],
        "stored_questions": stored,
        "stored_choices": choices,
    }


def measure_job(job: dict) -> dict:
    """The measuring child's job: one measure() on one file."""
    return measure(job["step"], Path(job["file"]), job["traced"])


# -- databases ----------------------------------------------------------------------------------


class Databases(common.ThrowawayDatabases):
    """Empty migrated databases: one migration per kind, then a fresh copy per measurement."""

    def __init__(self, args: argparse.Namespace, stack: contextlib.ExitStack, tmp: Path) -> None:
        super().__init__(args, stack, tmp, "bench_import")
        self.template = f"{self.name}_empty"
        self.postgres_ready = False

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
            self.recreate(self.template)
            self.migrate(self.url_of(self.template))
            self.postgres_ready = True
        # A copy of the migrated template: faster than migrating, and as empty.
        self.recreate(self.name, template=self.template)
        return self.postgres_url


def run_measurement(databases: Databases, kind: str, step: str, path: Path, traced: bool) -> dict:
    """One measurement in a fresh process on a fresh empty database."""
    url = databases.fresh(kind)
    return common.run_child(
        "bench.import_bank",
        {"step": step, "file": str(path), "traced": traced},
        databases.env(url),
        databases.tmp / "result.json",
        databases.args.wait_quiet,
        f"{kind} {step} {path.name}",
    )


def measure_case(databases: Databases, kind: str, step: str, path: Path, count: int) -> dict:
    """Plain run (time, RSS) and tracemalloc run (Python peak) of one case; checks the result."""
    plain = run_measurement(databases, kind, step, path, traced=False)
    traced = run_measurement(databases, kind, step, path, traced=True)
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
        "others_percent": max(plain["others_percent"], traced["others_percent"]),
        "file_bytes": path.stat().st_size,
    }


# -- report -------------------------------------------------------------------------------------


def _mib(value: float) -> str:
    """Bytes as MiB with one decimal."""
    return f"{value / MIB:.1f}"


def _busy(row: dict) -> bool:
    """Whether other work competed with the measurement (its timing is unsure)."""
    return row["others_percent"] > BUSY_OTHERS_PERCENT


def results_table(rows: list[dict]) -> list[str]:
    """The main table, in markdown: one row per database, format, step and size."""
    lines = [
        "| database | format | step | questions | file MiB | wall s | questions/s"
        " | tracemalloc peak MiB | RSS peak - baseline MiB | other CPU % |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        mark = " *" if _busy(row) else ""
        lines.append(
            f"| {row['database']} | {row['format']} | {row['step']} | {row['questions']:,}"
            f" | {_mib(row['file_bytes'])} | {row['seconds']:.2f}{mark}"
            f" | {row['per_second']:,.0f}{mark} | {_mib(row['traced_peak'])}"
            f" | {_mib(row['rss_growth'])} | {row['others_percent']:.0f} |"
        )
    return lines


def growth_verdict(per_question: float, question_bytes: float, step: str, small: int) -> str:
    """What the growth per question read says about streaming (see the module docstring)."""
    if step == "import" and small < INSERT_BATCH:
        # Below one batch the import holds every question until the batch fills: by design.
        return f"not measurable: {small:,} questions do not fill an insert batch ({INSERT_BATCH})"
    # Streaming keeps per question read only the duplicate check's fingerprint (a 40-character
    # str) and the location of its first copy: 12-16% of a question at 20,000, up to 25% at a
    # few thousand (openpyxl's parse tree, released now and then, weighs more there). Keeping
    # rows or questions costs a whole question per question, the decoded GIFT text half of one.
    if per_question < question_bytes / 3:
        return "streams (duplicate-check bookkeeping only)"
    return "GROWS LIKE THE FILE (keeps about a question per question read)"


def growth_rows(rows: list[dict], small: int, large: int, held: dict[str, float]) -> list[dict]:
    """Per case, the peaks' difference between `large` and `small` questions."""
    by_case = {(r["database"], r["format"], r["step"], r["questions"]): r for r in rows}
    growth = []
    for (kind, file_format, step, count), big in by_case.items():
        little = by_case.get((kind, file_format, step, small))
        if count != large or little is None:
            continue
        traced = big["traced_peak"] - little["traced_peak"]
        rss = big["rss_growth"] - little["rss_growth"]
        per_question = traced / (large - small)
        growth.append(
            {
                "case": f"{kind} | {file_format} | {step}",
                "traced": traced,
                "rss": rss,
                "per_thousand": 1000 * per_question,
                "share_of_question": per_question / held[file_format],
                "rss_per_thousand": 1000 * rss / (large - small),
                "verdict": growth_verdict(per_question, held[file_format], step, small),
            }
        )
    return growth


def growth_table(growth: list[dict], small: int, large: int) -> list[str]:
    """The memory growth table, in markdown: one row per case."""
    lines = [
        f"| database | format | step | tracemalloc {large:,} - {small:,} MiB"
        f" | per 1,000 questions KiB | RSS {large:,} - {small:,} MiB | per 1,000 questions KiB"
        " | verdict (from tracemalloc) |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for row in growth:
        lines.append(
            f"| {row['case']} | {_mib(row['traced'])} | {row['per_thousand'] / 1024:,.0f}"
            f" | {_mib(row['rss'])} | {row['rss_per_thousand'] / 1024:,.0f} | {row['verdict']} |"
        )
    return lines


def growth_summary(growth: list[dict]) -> str:
    """The verdict line under the growth table."""
    growing = [row["case"] for row in growth if row["verdict"].startswith("GROWS")]
    if growing:
        return f"Verdict: peak memory grows like the file in: {'; '.join(growing)}."
    streaming = [row for row in growth if row["verdict"].startswith("streams")]
    if not streaming:
        return "Verdict: none, the files are too small to tell (raise --questions)."
    low, high = (f(row["per_thousand"] for row in streaming) / 1024 for f in (min, max))
    share = max(row["share_of_question"] for row in streaming)
    unmeasured = len(growth) - len(streaming)
    return (
        f"Verdict: every measured case streams. The peak still grows by {low:,.0f}-{high:,.0f}"
        f" KiB per 1,000 questions read (at most {share:.0%} of keeping the questions): the"
        " duplicate check's fingerprint and first location per question."
        + (f" {unmeasured} case(s) not measurable at this size." if unmeasured else "")
    )


def report(
    args: argparse.Namespace,
    rows: list[dict],
    sizes: list[int],
    held: dict[str, float],
    started: str,
) -> str:
    """The whole report, in markdown (printed and written to bench/results/)."""
    baselines = [row["baseline_rss"] for row in rows]
    lines = [
        f"# Question-bank import benchmark, {started}",
        "",
        f"{args.questions:,} questions (and {sizes[-1]:,} for the growth check);"
        f" databases {', '.join(args.databases)}; formats {', '.join(args.formats)};"
        f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs;"
        f" platform code {common.code_fingerprint()}.",
        "",
        "Every run: a fresh process, a fresh empty migrated database. Wall time, questions/s and"
        " RSS from a plain run, tracemalloc peak from a second run under tracemalloc. RSS peak is"
        " the high-water mark above the RSS once the app is up"
        f" ({_mib(min(baselines))}-{_mib(max(baselines))} MiB). Import includes the commit."
        " Other CPU: CPU used by neither the measurement nor PostgreSQL, in % of one core,"
        f" during the measurement (* when above {BUSY_OTHERS_PERCENT}%: other work competed,"
        " the timing is unsure).",
        "",
        *results_table(rows),
    ]
    if len(sizes) > 1:
        growth = growth_rows(rows, sizes[1], sizes[0], held)
        questions = ", ".join(f"{held[f]:,.0f} B ({f})" for f in args.formats if f in held)
        lines += [
            "",
            f"Memory growth from {sizes[1]:,} to {sizes[0]:,} questions. One question as the"
            f" importer holds it takes {questions}.",
            "",
            *growth_table(growth, sizes[1], sizes[0]),
            "",
            growth_summary(growth),
        ]
    return "\n".join(lines) + "\n"


# -- main ---------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """The options (see --help); comma-separated lists become lists."""
    parser = common.option_parser("the question-bank import")
    parser.add_argument("--questions", type=int, default=20_000, help="questions per file")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--formats", default="xlsx,gift", help="comma-separated")
    common.add_postgres_option(parser)
    parser.add_argument(
        "--keep-files", action="store_true", help="keep the bank files in bench/results/"
    )
    common.add_wait_quiet_option(parser, "measurement")
    args = parser.parse_args()
    args.databases = common.database_list(parser, args.databases)
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if unknown := set(args.formats) - {"xlsx", "gift"}:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    if args.questions < 1 or not args.formats:
        parser.error("--questions must be positive and --formats not empty")
    return args


def write_files(args: argparse.Namespace, folder: Path, sizes: list[int]) -> dict:
    """Every bank file the run reads, by (questions, format)."""
    files = {}
    for count in sizes:
        for file_format in args.formats:
            clock = time.perf_counter()
            path = files[count, file_format] = write_bank_file(folder, count, file_format)
            print(
                f"wrote {path.name}: {count:,} questions, {_mib(path.stat().st_size)} MiB"
                f" in {time.perf_counter() - clock:.1f} s",
                flush=True,
            )
    return files


def keep_files(files: dict) -> None:
    """--keep-files: move the bank files to bench/results/ (replacing older ones)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    for path in files.values():
        if path.exists():
            shutil.move(path, RESULTS / path.name)
    print(f"Bank files kept in {RESULTS.relative_to(ROOT)}/")


def main() -> int:
    """Write the files, measure every case, print and save the report; the exit status."""
    if common.is_child():
        return common.child_main(measure_job)
    args = parse_args()
    # N and N/4: the difference of their peaks is the growth with the file.
    sizes = [args.questions] + ([args.questions // 4] if args.questions >= 4 else [])
    rows: list[dict] = []
    held: dict[str, float] = {}

    def measure_all(tmp: Path, stack: contextlib.ExitStack) -> None:
        files: dict = {}
        if args.keep_files:
            stack.callback(keep_files, files)  # runs before the folder is removed
        databases = Databases(args, stack, tmp)
        files.update(write_files(args, tmp, sizes))
        for file_format in args.formats:
            held[file_format] = held_question_bytes(files[sizes[-1], file_format])
        for kind in args.databases:
            for file_format in args.formats:
                for count in sizes:
                    for step in ("validate", "import"):
                        path = files[count, file_format]
                        row = measure_case(databases, kind, step, path, count)
                        rows.append(row)
                        print(
                            f"{kind:<9}{file_format:<5}{step:<9}{count:>7,} questions"
                            f"{row['seconds']:8.2f} s{row['per_second']:9,.0f}/s"
                            f"  tracemalloc {_mib(row['traced_peak']):>6} MiB"
                            f"  RSS +{_mib(row['rss_growth']):>6} MiB"
                            f"  other CPU {row['others_percent']:3.0f}%",
                            flush=True,
                        )

    def summary(started: str) -> str | None:
        return report(args, rows, sizes, held, started) if rows else None

    return common.run_benchmark("import_bank", measure_all, summary)


if __name__ == "__main__":
    sys.exit(main())
