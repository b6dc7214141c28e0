"""The quiz load benchmark against the cluster: one app host, then two behind nginx.

Run as root from the repository root (about 5 minutes with the defaults):

    .venv/bin/python -m bench.cluster_load [--clients 64] [--duration 30] [quiz_load's options]

It builds the cluster test's hosts (tests/cluster/hosts.py: PostgreSQL, Redis, moto, gunicorn
on app1 and app2 with deploy/gunicorn.conf.py, the two schedulers, nginx with the kit's site)
seeded with --participants accounts, and runs bench/quiz_load.py's journey phase (locust,
the same clients and window) three times from the `client` host:

  app1            gunicorn on app1, directly;
  nginx -> app1   the same host behind nginx (the proxy's cost: the latency added, and nginx's
                  CPU per request, from its process tree during the window);
  nginx -> both   app1 and app2 behind nginx (the second host's gain).

Every host shares this machine's cores: a second app host adds processes, not CPUs, so on 2
cores its gain is bounded by the CPU the first one left idle (see README, Scaling out).
"""

import contextlib
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common, quiz_load  # noqa: E402
from tests.cluster.hosts import ALONE_PORT, running_cluster  # noqa: E402


def main() -> int:
    args = quiz_load.parse_args()
    quiz_load.ensure_tools()
    logs = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    raised = quiz_load.RAISED_LIMIT
    results = []
    with (
        running_cluster(
            logs,
            participants=args.participants,
            LOGIN_RATE_LIMIT=raised,
            LOGIN_RATE_LIMIT_PER_ADDRESS=raised,
            QUIZ_API_RATE_LIMIT=raised,
            WEB_WORKERS=str(args.workers),
            WEB_THREADS=str(args.threads),
        ) as cluster,
        contextlib.ExitStack() as stack,
    ):
        bench = quiz_load.Bench(args, stack)
        lb = cluster.network.address("lb")
        nginx = cluster.processes["lb"].pid
        targets = [
            ("app1", cluster.base("app1"), cluster.processes["app1"].pid),
            ("nginx -> app1", f"http://{lb}:{ALONE_PORT}", nginx),
            ("nginx -> both", cluster.base("lb"), nginx),
        ]
        for offset, (label, url, pid) in enumerate(targets):
            first = 1 + offset * args.clients  # fresh accounts for every run
            summary = bench.run_locust("JourneyUser", url, pid, f"cluster-{offset}", first)
            quiz_load.print_phase(label, "journey", summary)
            results.append((label, summary))
            time.sleep(2)
    print(
        f"\n=== cluster: {args.clients} clients, {args.duration:g} s windows, "
        f"{args.workers} workers x {args.threads} threads per app host ==="
    )
    print(
        f"{'target':<16}{'req/s':>8}{'rounds/s':>10}{'save p50/p95/p99 ms':>22}"
        f"{'errors':>8}{'measured CPU/request':>22}"
    )
    for label, summary in results:
        lines = summary["lines"]
        requests_total = sum(line["count"] for line in lines.values())
        rps = requests_total / summary["window_seconds"]
        rounds = lines.get("submit", {}).get("rps", 0)
        save = lines.get("save answer", {})
        cpu_ms = 10 * summary["cpu_percent"]["gunicorn_of_one_core"] / rps if rps else 0
        whose = "nginx" if label.startswith("nginx") else "app1"
        print(
            f"{label:<16}{rps:>8.0f}{rounds:>10.1f}"
            f"{quiz_load._percentiles(save):>22}{summary['failures']:>8}"
            f"{cpu_ms:>15.2f} ms ({whose})"
        )
    print(f"Logs: {logs}")
    return 0


if __name__ == "__main__":
    sys.exit(common.guarded(main))
