"""Benchmark of video uploads and playback: MiB/s and the app's peak memory, local disk and S3.

Run from the repository root (about 3-4 minutes with the defaults; needs requirements-dev.txt
for requests and moto[server], and about 3.5 GiB free in --tmp for a 1 GiB file):

    .venv/bin/python -m bench.upload [--size-mb 1024] [--paths local,s3] [--concurrency 1]
                                     [--ranges 200] [--range-seconds 60] [--no-save]

`--size-mb 64` is a quick run; `--size-mb 64,512` runs both sizes and compares the memory
growth (an app that streams grows by the same few MiB whatever the size of the file: growths
closer than 16 MiB count as the same).

It writes a file of --size-mb MiB of random bytes (8 MiB at a time, never whole in memory) in a
temporary folder, then for each storage path it starts from a fresh copy of a migrated, seeded
SQLite database (`flask --app wsgi db upgrade`; a unit, its video contact person, an organizer,
a contest whose video window is open and whose size limit is above the file) and serves
`wsgi:app` with gunicorn (gthread, 1 worker x 4 threads, so one process holds every request)
on a free port of 127.0.0.1, with VIDEO_PROCESSING=scheduler (no ffmpeg during the timing:
the file is not a video anyway):

  local  LocalStorage in the run's MEDIA_DIR: each part is PUT to the app
         (PUT /api/v1/videos/uploads/<id>/parts/<n>), which writes it to disk; complete joins
         the parts into one file.
  s3     S3Storage on a bucket of a moto server (`python -m moto.server`, its own process, fake
         credentials): the app only presigns (POST .../parts/<n>/url) and the client PUTs each
         part straight to the bucket; complete lists the parts and completes the upload.

Measured, like the upload page does it (POST uploads, GET the upload's parts, the parts in
order, POST complete; --concurrency N sends N parts at a time):

  upload       wall time from POST uploads to the answer of complete, and MiB/s; the stored
               object's size is checked (the file under MEDIA_DIR; head_object on S3).
  full read    GET /videos/<id>/media of the whole file, read in 1 MiB chunks and dropped (on S3
               the app answers 302 to a presigned URL, which is then read from moto).
  ranges       --ranges random 1 MiB Range requests (at most --range-seconds), each checked
               byte for byte against the file; req/s and MiB/s. On S3 every request is a 302
               from the app, then the range from moto ("app 302/s" is the app's own share).

The video is marked ready (state, playback_key) directly in the database before the reads,
which an organizer makes. A warm-up before the measurements (a one-part upload, cancelled,
and a 1 KiB range) loads what a first request loads (the S3 client, templates, imports).

Memory: the gunicorn worker's RSS right before each operation (baseline) and its peak during
it: the kernel's high-water mark (VmHWM, reset at the baseline through /proc/PID/clear_refs)
and VmRSS sampled every 50 ms. Memory is flat when peak - baseline stays under --flat-mib
whatever the file size. On local disk the peak rises by a few MiB for each gunicorn thread
that has received parts (glibc gives each thread an arena, which keeps its freed 1 MiB read
buffers): bounded by the thread count, not by the file; --concurrency 4 raises it to about
30 MiB. "app I/O" is what the worker read and wrote through system calls
(sockets and files, /proc/PID/io): on S3 the bytes never pass through the app. moto's own
memory holds the whole object (it joins parts and serves ranges from one bytes object): that
is moto's, not the app's, and limits the S3 timings here (a real bucket is not the bottleneck).

Everything it starts is stopped and the temporary folder (file, databases, media, moto's
spool) removed at the end, on error and on Ctrl+C. The table is printed and written to
bench/results/upload-<time>.md unless --no-save. Linux only (/proc).
"""

import argparse
import contextlib
import os
import random
import secrets
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from bench import common
from bench.common import BIN, BUSY_OTHERS_PERCENT, MIB, ROOT, BenchError

WRITE_BLOCK = 8 * MIB  # the source file is written this much at a time
READ_CHUNK = MIB  # the client reads responses this much at a time
SAMPLE_SECONDS = 0.05
THREADS = 4  # gunicorn threads of the one worker
DEFAULT_MAX_CONTENT_LENGTH = 16 * MIB  # contest/config.py
SAME_GROWTH_MIB = 16  # growths closer than this across file sizes count as the same
SEED = 20_240  # the same range offsets on every run

PASSWORD = "bench-pass"  # noqa: S105 (throwaway accounts of a throwaway database)
UPLOADER_PHONE = "0970000001"
ORGANIZER_PHONE = "0970000002"
BUCKET = "bench-videos"
# moto's and the app's S3 environment: fake credentials, nothing from a real AWS set-up.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
DROPPED_ENV = ("DEMO", "RUN_SCHEDULER", "DATABASE_URL", "MEDIA_DIR", "REDIS_URL")


def parse_args() -> argparse.Namespace:
    parser = common.option_parser("video uploads and range serving")
    parser.add_argument(
        "--size-mb",
        default="1024",
        help="file size in MiB; comma-separated sizes (64,512) also compare the memory growth",
    )
    parser.add_argument("--paths", default="local,s3", help="comma-separated: local, s3")
    parser.add_argument("--concurrency", type=int, default=1, help="parts in flight at once")
    parser.add_argument("--part-mb", type=int, default=8, help="VIDEO_PART_SIZE in MiB")
    parser.add_argument("--ranges", type=int, default=200, help="random Range requests")
    parser.add_argument("--range-kb", type=int, default=1024, help="length of a Range request")
    parser.add_argument(
        "--range-seconds",
        type=float,
        default=60,
        help="stop the Range requests after this long even if fewer were sent",
    )
    parser.add_argument(
        "--flat-mib",
        type=float,
        default=64,
        help="memory counts as flat when the app's peak stays this close to its baseline",
    )
    parser.add_argument("--tmp", default=tempfile.gettempdir(), help="where the run's files go")
    common.add_wait_quiet_option(parser, "storage path")
    parser.add_argument("--no-save", action="store_true", help="write nothing to bench/results")
    args = parser.parse_args()
    try:
        args.sizes = sorted({int(s) for s in args.size_mb.split(",") if s.strip()})
    except ValueError:
        parser.error("--size-mb takes whole numbers of MiB, comma-separated")
    args.paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    if unknown := set(args.paths) - {"local", "s3"}:
        parser.error(f"unknown paths: {', '.join(sorted(unknown))}")
    if not args.sizes or min(args.sizes) < 1 or not args.paths:
        parser.error("--size-mb must be positive and --paths not empty")
    if args.concurrency < 1 or args.part_mb < 5 or args.ranges < 0 or args.range_kb < 1:
        parser.error("--concurrency >= 1, --part-mb >= 5 (S3's minimum), --ranges >= 0")
    if args.range_kb * 1024 > min(args.sizes) * MIB:
        parser.error("--range-kb must not exceed the smallest file")
    return args


# -- the file -----------------------------------------------------------------------------------


def write_source(path: Path, size: int) -> float:
    """`size` random bytes in `path`, one block at a time; the seconds it took."""
    started = time.perf_counter()
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(WRITE_BLOCK, left))
            out.write(block)
            left -= len(block)
    return time.perf_counter() - started


# -- a process's memory, CPU and I/O, from /proc --------------------------------------------------


def _io_bytes(pid: int) -> int:
    """Bytes the process read and wrote through system calls (files and sockets alike)."""
    fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return int(fields["rchar"]) + int(fields["wchar"])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the process (all its threads)."""
    line = Path(f"/proc/{pid}/stat").read_text()
    fields = line[line.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                line = (entry / "stat").read_text()
                if int(line[line.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


class Watch:
    """Peak RSS, CPU and I/O of some processes over a `with` block (see the module docstring)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.baseline: dict[str, int] = {}
        self.sampled: dict[str, int] = {}
        self.figures: dict[str, dict] = {}
        self.hwm_reset = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            for name, pid in self.pids.items():
                with contextlib.suppress(OSError):
                    rss = common.status_bytes("VmRSS", pid)
                    self.sampled[name] = max(self.sampled[name], rss)

    def __enter__(self) -> "Watch":
        self._start = {}
        for name, pid in self.pids.items():
            try:
                common.reset_high_water_mark(pid)
            except OSError:
                self.hwm_reset = False  # the sampled peak only
            self.baseline[name] = self.sampled[name] = common.status_bytes("VmRSS", pid)
            self._start[name] = (_io_bytes(pid), _cpu_seconds(pid))
        self._machine = (time.monotonic(), common.machine_busy_seconds(), time.process_time())
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        wall, busy, own = (
            end - start
            for start, end in zip(
                self._machine,
                (time.monotonic(), common.machine_busy_seconds(), time.process_time()),
                strict=True,
            )
        )
        for name, pid in self.pids.items():
            peak = self.sampled[name]
            if self.hwm_reset:
                peak = max(peak, common.status_bytes("VmHWM", pid))
            io, cpu = self._start[name]
            self.figures[name] = {
                "baseline": self.baseline[name],
                "peak": peak,
                "growth": peak - self.baseline[name],
                "io": _io_bytes(pid) - io,
                "cpu": _cpu_seconds(pid) - cpu,
            }
        # CPU that neither the watched processes nor this one (the client) used: other work
        # competing for the cores, in % of one core.
        watched = sum(figures["cpu"] for figures in self.figures.values())
        self.others_percent = max(0.0, 100 * (busy - watched - own) / wall) if wall else 0.0


# -- database -------------------------------------------------------------------------------------


def app_env(args: argparse.Namespace, run: Path, database: Path, s3: str | None) -> dict:
    """The app's environment: this database and media folder, no Redis, no ffmpeg, S3 or not."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in DROPPED_ENV and not k.startswith(("AWS_", "S3_"))
    }
    part = args.part_mb * MIB
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY=secrets.token_hex(32),
        REDIS_URL="",
        MEDIA_DIR=str(run / "media"),
        VIDEO_PROCESSING="scheduler",
        VIDEO_PART_SIZE=str(part),
        TMPDIR=str(run),
        PYTHONUNBUFFERED="1",
    )
    if part + MIB > DEFAULT_MAX_CONTENT_LENGTH:
        env["MAX_CONTENT_LENGTH"] = str(part + MIB)
    if s3:
        env.update(FAKE_AWS_ENV, S3_BUCKET=BUCKET, S3_ENDPOINT_URL=s3, S3_REGION="us-east-1")
    return env


def prepare_template(args: argparse.Namespace, tmp: Path, largest: int) -> Path:
    """A migrated database with the accounts and the contest; every run starts from a copy."""
    template = tmp / "template.db"
    common.flask_db_upgrade(app_env(args, tmp, template, None))
    seed(f"sqlite:///{template}", largest)
    return template


def seed(url: str, largest: int) -> None:
    """A unit with its video contact person, an organizer, a contest open for videos."""
    from contest import create_app
    from contest.extensions import db
    from contest.models import Contest, ReviewPolicy, Role, Unit, UnitGroup, User

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(16), "S3_BUCKET": None}
    )
    now = datetime.now(UTC)
    with app.app_context():
        group = UnitGroup(code="BENCH", name="Nhóm đơn vị đo tải", position=1)
        unit = Unit(code="BENCH", name="Đơn vị đo tải video", group=group, headcount=50)
        uploader = User(
            full_name="Đầu mối video (bài đo)", phone=UPLOADER_PHONE, unit=unit, password_hash=""
        )
        uploader.grant(Role.UNIT_ADMIN)
        organizer = User(full_name="Ban Tổ chức (bài đo)", phone=ORGANIZER_PHONE, password_hash="")
        organizer.grant(Role.ORGANIZER)
        for user in (uploader, organizer):
            user.set_password(PASSWORD)
        contest = Contest(
            slug="bench-upload",
            name="Hội thi Cải cách hành chính (bài đo tải video)",
            organizer_name="Sở Nội vụ",
            quiz_opens_at=now - timedelta(hours=1),
            quiz_closes_at=now + timedelta(days=30),
            video_opens_at=now - timedelta(hours=1),
            video_closes_at=now + timedelta(days=30),
            questions_per_round=10,
            round_time_limit_seconds=600,
            submission_grace_seconds=5,
            review_policy=ReviewPolicy.AFTER_CLOSE,
            video_max_bytes=2 * largest,
            max_videos_per_unit=10,
        )
        db.session.add_all([group, unit, uploader, organizer, contest])
        db.session.commit()
        db.engine.dispose()


def mark_ready(database: Path, video_id: int) -> str:
    """What processing would do for a playable MP4: READY, played from the original."""
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as connection:
        row = connection.execute("SELECT storage_key FROM videos WHERE id = ?", (video_id,))
        key = row.fetchone()[0]
        connection.execute(
            "UPDATE videos SET state = 'ready', playback_key = storage_key, container = 'mp4',"
            " transcoded = 0 WHERE id = ?",
            (video_id,),
        )
        connection.commit()
    return key


# -- servers --------------------------------------------------------------------------------------


def start_moto(run: Path, stack: contextlib.ExitStack) -> tuple:
    """A moto S3 server in its own process (it spools objects to the run's folder)."""
    port = common.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
    env.update(FAKE_AWS_ENV, TMPDIR=str(run), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    log = run / "moto.log"
    process = common.start_logged(command, env, log, stack)
    common.wait_for_http(process, port, "/", log, lambda status: status is not None, "moto")
    return process, f"http://127.0.0.1:{port}"


def s3_storage(endpoint: str):
    """The bench's own S3Storage on moto's bucket (explicit fake credentials)."""
    import boto3

    from contest.storage import S3Storage, s3_client_config

    session = boto3.session.Session(
        aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=FAKE_AWS_ENV["AWS_DEFAULT_REGION"],
    )
    client = session.client("s3", endpoint_url=endpoint, config=s3_client_config(endpoint))
    return S3Storage(BUCKET, client=client)


def start_app(env: dict, run: Path, stack: contextlib.ExitStack) -> tuple:
    """gunicorn wsgi:app, 1 gthread worker; returns (master, port, worker pid) once it answers."""
    port = common.free_port()
    log = run / "gunicorn.log"
    command = [str(BIN / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}"]
    command += ["--worker-class", "gthread", "--workers", "1", "--threads", str(THREADS)]
    command += ["--timeout", "300", "--graceful-timeout", "5", "--error-logfile", str(log)]
    command += ["--chdir", str(ROOT)]
    process = common.start_logged(command, env, log, stack)
    common.wait_for_http(
        process, port, "/api/v1/session", log, lambda status: status == 200, "gunicorn"
    )
    workers = _children(process.pid)
    if len(workers) != 1:
        raise BenchError(f"expected one gunicorn worker, found {workers}")
    return process, port, workers[0]


# -- the client -----------------------------------------------------------------------------------


class AppClient:
    """A logged-in requests session carrying the CSRF token, like the platform's pages."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def login(self, phone: str) -> "AppClient":
        token = self.call("GET", "/api/v1/session", 200).json()["csrf_token"]
        self.http.headers["X-CSRFToken"] = token
        answer = self.call(
            "POST", "/api/v1/session", 200, json={"login": phone, "password": PASSWORD}
        )
        self.http.headers["X-CSRFToken"] = answer.json()["csrf_token"]
        return self

    def copy(self) -> "AppClient":
        """Another session on the same login (one per thread: a Session is not thread-safe)."""
        other = AppClient(self.base)
        other.http.headers.update(self.http.headers)
        other.http.cookies.update(self.http.cookies)
        return other

    def call(self, method: str, path: str, expected: int, **kwargs) -> requests.Response:
        answer = self.http.request(method, self.base + path, timeout=600, **kwargs)
        if answer.status_code != expected:
            raise BenchError(
                f"{method} {path}: {answer.status_code} (expected {expected}): {answer.text[:500]}"
            )
        return answer


def upload(app: AppClient, source: Path, size: int, concurrency: int) -> dict:
    """Upload `source` as the upload page does; the timings and the video's id."""
    api = "/api/v1/videos/uploads"
    start_url = "/api/v1/contests/bench-upload/videos/uploads"
    started = time.perf_counter()
    details = {
        "title": f"Video đo tải {size // MIB} MiB",
        "form": "song",
        "filename": source.with_suffix(".mp4").name,
        "size": size,
        "content_type": "video/mp4",
    }
    video = app.call("POST", start_url, 201, json=details).json()
    video_id, part_size, part_count = video["video_id"], video["part_size"], video["part_count"]
    app.call("GET", f"{api}/{video_id}", 200)  # the page asks which parts are there
    local = threading.local()

    def send(number: int) -> None:
        if concurrency == 1:
            client = app
        elif not hasattr(local, "client"):
            client = local.client = app.copy()
        else:
            client = local.client
        offset = (number - 1) * part_size
        data = os.pread(fd, min(part_size, size - offset), offset)
        if video["direct"]:
            url = client.call("POST", f"{api}/{video_id}/parts/{number}/url", 200, json={})
            if not hasattr(local, "storage"):
                local.storage = requests.Session()  # the bucket: no cookies, no CSRF
            stored = local.storage.put(url.json()["url"], data=data, timeout=600)
            if stored.status_code != 200:
                raise BenchError(f"PUT part {number} to S3: {stored.status_code} {stored.text}")
        else:
            headers = {"Content-Type": "application/octet-stream"}
            part = client.call(
                "PUT", f"{api}/{video_id}/parts/{number}", 200, data=data, headers=headers
            ).json()
            if part["size"] != len(data):
                raise BenchError(f"part {number}: the app stored {part['size']} bytes")

    with source.open("rb") as file:
        fd = file.fileno()
        parts_started = time.perf_counter()
        if concurrency == 1:
            for number in range(1, part_count + 1):
                send(number)
        else:
            with ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(send, range(1, part_count + 1)))
    parts_done = time.perf_counter()
    done = app.call("POST", f"{api}/{video_id}/complete", 200, json={}).json()
    finished = time.perf_counter()
    if done["state"] != "received":
        raise BenchError(f"complete left the video {done['state']}")
    return {
        "video_id": video_id,
        "parts": part_count,
        "part_size": part_size,
        "seconds": finished - started,
        "parts_seconds": parts_done - parts_started,
        "complete_seconds": finished - parts_done,
    }


def warm_up_upload(app: AppClient) -> None:
    """A one-part upload, cancelled: the first request of each kind loads its code and clients."""
    api = "/api/v1/videos/uploads"
    details = {"title": "Khởi động", "form": "song", "filename": "warm-up.mp4", "size": 4096}
    video = app.call("POST", "/api/v1/contests/bench-upload/videos/uploads", 201, json=details)
    video = video.json()
    app.call("GET", f"{api}/{video['video_id']}", 200)
    data = os.urandom(4096)
    if video["direct"]:
        url = app.call("POST", f"{api}/{video['video_id']}/parts/1/url", 200, json={})
        requests.put(url.json()["url"], data=data, timeout=60).raise_for_status()
    else:
        app.call("PUT", f"{api}/{video['video_id']}/parts/1", 200, data=data)
    app.call("DELETE", f"{api}/{video['video_id']}", 204)


def media_response(app: AppClient, video_id: int, storage, headers=None) -> tuple:
    """GET the video's media; on S3 follow the app's 302. Returns (response, app seconds)."""
    started = time.perf_counter()
    answer = app.http.get(
        f"{app.base}/videos/{video_id}/media",
        headers=headers,
        stream=True,
        allow_redirects=False,
        timeout=600,
    )
    if answer.status_code == 302:
        answer.close()
        app_seconds = time.perf_counter() - started
        answer = storage.get(answer.headers["Location"], headers=headers, stream=True, timeout=600)
        return answer, app_seconds
    return answer, None


def full_read(app: AppClient, video_id: int, size: int, storage) -> dict:
    started = time.perf_counter()
    answer, app_seconds = media_response(app, video_id, storage)
    if answer.status_code != 200:
        raise BenchError(f"GET media: {answer.status_code} {answer.text[:300]}")
    received = sum(len(chunk) for chunk in answer.iter_content(READ_CHUNK))
    seconds = time.perf_counter() - started
    if received != size:
        raise BenchError(f"GET media gave {received} bytes, not {size}")
    return {"seconds": seconds, "bytes": received, "app_seconds": app_seconds}


def range_reads(app, video_id, source: Path, size, args, storage) -> dict:
    """Random Range requests, each compared with the file; at most --range-seconds long."""
    length = args.range_kb * 1024
    rng = random.Random(SEED)
    done = 0
    app_seconds = 0.0
    offsets = 0
    with source.open("rb") as file:
        started = time.perf_counter()
        while done < args.ranges and time.perf_counter() - started < args.range_seconds:
            offset = rng.randrange(size - length + 1)
            headers = {"Range": f"bytes={offset}-{offset + length - 1}"}
            clock = time.perf_counter()
            answer, redirect_seconds = media_response(app, video_id, storage, headers)
            body = answer.content
            app_seconds += (
                redirect_seconds if redirect_seconds is not None else time.perf_counter() - clock
            )
            if answer.status_code != 206 or body != os.pread(file.fileno(), length, offset):
                raise BenchError(
                    f"Range {headers['Range']}: {answer.status_code}, {len(body)} bytes,"
                    " not the file's"
                )
            done += 1
            offsets += offset
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "requests": done,
        "bytes": done * length,
        "app_seconds": app_seconds,
        "mean_offset": offsets / done if done else 0,
    }


# -- one storage path, one size --------------------------------------------------------------------


def run_case(args, kind: str, size: int, source: Path, template: Path, tmp: Path) -> list[dict]:
    """Upload, full read and ranges on one storage path, with fresh servers and database."""
    rows = []
    run = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=tmp))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, run, ignore_errors=True)
        database = run / "bench.db"
        shutil.copyfile(template, database)
        storage = endpoint = moto = None
        if kind == "s3":
            moto, endpoint = start_moto(run, stack)
            storage = stack.enter_context(s3_storage(endpoint))
            storage.ensure_bucket()
        server, port, worker = start_app(app_env(args, run, database, endpoint), run, stack)
        base = f"http://127.0.0.1:{port}"
        uploader = AppClient(base).login(UPLOADER_PHONE)
        warm_up_upload(uploader)
        pids = {"app": worker} | ({"moto": moto.pid} if moto else {})
        common.wait_until_quiet(args.wait_quiet)
        case = {"path": kind, "size": size // MIB}

        time.sleep(0.5)
        with Watch(pids) as watch:
            result = upload(uploader, source, size, args.concurrency)
        key = mark_ready(database, result["video_id"])
        stored = storage.size(key) if storage else (run / "media" / key).stat().st_size
        if stored != size:
            raise BenchError(f"{kind}: the stored object has {stored} bytes, not {size}")
        leftovers = sum(f.stat().st_size for f in (run / "media").rglob("*.part"))
        rows.append(
            case
            | {
                "operation": "upload",
                "seconds": result["seconds"],
                "bytes": size,
                "note": f"{result['parts']} parts of {result['part_size'] // MIB} MiB; parts"
                f" {result['parts_seconds']:.1f} s, complete {result['complete_seconds']:.1f} s"
                + (f"; {leftovers} bytes of parts left" if leftovers else ""),
            }
            | _memory(watch)
        )
        print_row(rows[-1])

        organizer = AppClient(base).login(ORGANIZER_PHONE)
        reader = requests.Session()  # the bucket's presigned URLs: no cookies
        warm, _ = media_response(organizer, result["video_id"], reader, {"Range": "bytes=0-1023"})
        if warm.status_code != 206 or len(warm.content) != 1024:
            raise BenchError(f"warm-up Range request: {warm.status_code}")
        time.sleep(0.5)
        with Watch(pids) as watch:
            read = full_read(organizer, result["video_id"], size, reader)
        note = "302, then moto" if read["app_seconds"] is not None else "send_file"
        rows.append(
            case
            | {"operation": "full read", "seconds": read["seconds"], "bytes": size, "note": note}
            | _memory(watch)
        )
        print_row(rows[-1])

        if args.ranges:
            time.sleep(0.5)
            with Watch(pids) as watch:
                ranges = range_reads(organizer, result["video_id"], source, size, args, reader)
            note = f"{ranges['requests']} x {args.range_kb} KiB"
            note += f", mean offset {ranges['mean_offset'] / MIB:.0f} MiB"
            if kind == "s3":
                note += f"; app 302/s {ranges['requests'] / ranges['app_seconds']:.0f}"
            rows.append(
                case
                | {
                    "operation": f"{args.range_kb} KiB ranges",
                    "seconds": ranges["seconds"],
                    "bytes": ranges["bytes"],
                    "requests": ranges["requests"],
                    "note": note,
                }
                | _memory(watch)
            )
            print_row(rows[-1])
        common.stop_process(server)
    return rows


def _memory(watch: Watch) -> dict:
    figures = {f"app_{k}": v for k, v in watch.figures["app"].items()}
    if "moto" in watch.figures:
        figures["moto_peak"] = watch.figures["moto"]["peak"]
    figures["hwm"] = watch.hwm_reset
    figures["others"] = watch.others_percent
    return figures


# -- report ---------------------------------------------------------------------------------------


def _mib(value: float) -> str:
    return f"{value / MIB:,.1f}"


def _rate(row: dict) -> tuple[str, str]:
    per_second = row["bytes"] / row["seconds"] / MIB if row["seconds"] else 0
    requests_per_second = f"{row['requests'] / row['seconds']:.1f}" if "requests" in row else ""
    return f"{per_second:,.0f}", requests_per_second


def print_row(row: dict) -> None:
    rate, per_request = _rate(row)
    print(
        f"  {row['path']:<6}{row['operation']:<16}{row['size']:>6} MiB {row['seconds']:7.1f} s"
        f"{rate:>7} MiB/s{(' ' + per_request + ' req/s') if per_request else ''}"
        f"  app RSS {_mib(row['app_baseline'])} -> {_mib(row['app_peak'])} MiB"
        f" (+{_mib(row['app_growth'])}), CPU {row['app_cpu']:.1f} s, I/O {_mib(row['app_io'])} MiB"
        f", other CPU {row['others']:.0f}%  [{row['note']}]",
        flush=True,
    )


def results_table(rows: list[dict]) -> list[str]:
    lines = [
        "| path | operation | file MiB | wall s | MiB/s | req/s | app RSS baseline → peak MiB"
        " | growth MiB | app CPU s | app I/O MiB | moto peak MiB | other CPU % | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        rate, per_request = _rate(row)
        mark = " *" if row["others"] > BUSY_OTHERS_PERCENT else ""
        moto = _mib(row["moto_peak"]) if "moto_peak" in row else ""
        lines.append(
            f"| {row['path']} | {row['operation']} | {row['size']:,} | {row['seconds']:.1f}{mark}"
            f" | {rate}{mark} | {per_request} | {_mib(row['app_baseline'])} →"
            f" {_mib(row['app_peak'])} | {_mib(row['app_growth'])} | {row['app_cpu']:.1f}"
            f" | {_mib(row['app_io'])} | {moto} | {row['others']:.0f} | {row['note']} |"
        )
    return lines


def verdicts(rows: list[dict], args: argparse.Namespace) -> list[str]:
    limit = args.flat_mib * MIB
    lines = []
    grown = [r for r in rows if r["app_growth"] >= limit]
    if grown:
        cases = "; ".join(
            f"{r['path']} {r['operation']} {r['size']} MiB +{_mib(r['app_growth'])} MiB"
            for r in grown
        )
        lines.append(
            f"Verdict: memory NOT flat (peak - baseline >= {args.flat_mib:g} MiB): {cases}."
        )
    else:
        top = max(rows, key=lambda r: r["app_growth"])
        lines.append(
            f"Verdict: memory flat: the app's peak stays within {_mib(top['app_growth'])} MiB of"
            f" its baseline in every operation (limit {args.flat_mib:g} MiB; largest:"
            f" {top['path']} {top['operation']}, {top['size']} MiB file)."
        )
    for row in rows:
        if row["path"] == "s3" and row["operation"] == "upload":
            lines.append(
                f"S3 upload of {row['size']:,} MiB: the app read and wrote {_mib(row['app_io'])}"
                " MiB in all (HTTP and database): the file's bytes went straight to the bucket."
            )
    if not all(row["hwm"] for row in rows):
        lines.append("(VmHWM could not be reset: peaks are the 50 ms samples of VmRSS only.)")
    if len(args.sizes) > 1:
        small, large = args.sizes[0], args.sizes[-1]
        lines += [
            "",
            f"Memory growth by file size ({small} and {large} MiB):",
            "",
            f"| path | operation | growth at {small} MiB | growth at {large} MiB | difference"
            " | verdict |",
            "|---|---|---:|---:|---:|---|",
        ]
        by_case = {(r["path"], r["operation"], r["size"]): r for r in rows}
        for (path, operation, size), big in by_case.items():
            little = by_case.get((path, operation, small))
            if size != large or little is None:
                continue
            difference = big["app_growth"] - little["app_growth"]
            verdict = (
                "same: does not grow with the file"
                if abs(difference) < SAME_GROWTH_MIB * MIB
                else "GROWS WITH THE FILE"
            )
            lines.append(
                f"| {path} | {operation} | {_mib(little['app_growth'])} | {_mib(big['app_growth'])}"
                f" | {_mib(difference)} | {verdict} |"
            )
    return lines


def report(args: argparse.Namespace, rows: list[dict], started: str, code: str) -> str:
    changed = code != common.code_fingerprint()
    lines = [
        f"# Video upload benchmark, {started}",
        "",
        f"Files of {', '.join(f'{s:,}' for s in args.sizes)} MiB; parts of {args.part_mb} MiB,"
        f" {args.concurrency} at a time; gunicorn gthread 1 worker x {THREADS} threads; SQLite;"
        f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; platform code {code}"
        + (" (CHANGED during the run: the rows may not measure one version)." if changed else "."),
        "",
        "RSS of the app's worker process: right before the operation → its peak during it"
        " (VmHWM reset at the baseline, and 50 ms samples). app I/O: bytes the worker read and"
        " wrote through system calls (sockets and files). Upload: POST uploads to the answer of"
        " complete. moto's memory is moto's, not the app's. Other CPU: CPU used by neither the"
        " app, moto nor the client during the operation, in % of one core (* when above"
        f" {BUSY_OTHERS_PERCENT}%: other work competed, the timing is unsure).",
        "",
        *results_table(rows),
        "",
        *verdicts(rows, args),
    ]
    return "\n".join(lines) + "\n"


# -- main -----------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    rows: list[dict] = []
    code = common.code_fingerprint()

    def measure_all(tmp: Path, stack: contextlib.ExitStack) -> None:
        # The file, its parts, and the joined object (or moto's copy) at the same time.
        needed = 3 * max(args.sizes) * MIB + 512 * MIB
        if shutil.disk_usage(tmp).free < needed:
            raise BenchError(f"{args.tmp} needs {_mib(needed)} MiB free")
        template = prepare_template(args, tmp, max(args.sizes) * MIB)
        print(f"Platform code fingerprint: {code} (sha256 of contest/*.py, wsgi.py)", flush=True)
        for size_mib in args.sizes:
            size = size_mib * MIB
            source = tmp / f"source-{size_mib}mib.bin"
            seconds = write_source(source, size)
            print(f"\nwrote {source.name}: {size_mib:,} MiB in {seconds:.1f} s", flush=True)
            try:
                for kind in args.paths:
                    rows.extend(run_case(args, kind, size, source, template, tmp))
            finally:
                source.unlink(missing_ok=True)

    def summary(started: str) -> str | None:
        return report(args, rows, started, code) if rows else None

    return common.run_benchmark(
        "upload", measure_all, summary, save=not args.no_save, tmp_dir=args.tmp
    )


if __name__ == "__main__":
    sys.exit(main())
