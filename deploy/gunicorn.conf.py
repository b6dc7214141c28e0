"""gunicorn's settings for an app host (the image, the systemd unit and the cluster test use it).

    gunicorn -c deploy/gunicorn.conf.py wsgi:app

Each setting can be changed through the environment named beside it. Threads overlap the
database's round trips; each worker holds up to DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW
PostgreSQL connections (README, Scaling out), so keep DATABASE_POOL_SIZE >= WEB_THREADS.
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS") or multiprocessing.cpu_count())
threads = int(os.environ.get("WEB_THREADS", "8"))
backlog = 2048
# A request that takes longer than this is stuck: the worker is replaced. Requests that wait on
# the database give up well before (DATABASE_TIMEOUT, DATABASE_POOL_TIMEOUT) with a 503.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# SIGTERM: stop accepting, let the requests in flight finish for up to this long, then exit.
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))
# Behind nginx, which keeps connections to the app hosts open (upstream keepalive).
keepalive = 75
# The heartbeat file of each worker: in memory, not on a container's overlay disk.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 (tmpfs for the heartbeat files gunicorn makes itself)
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
accesslog = os.environ.get("WEB_ACCESS_LOG") or None  # nginx logs the requests
errorlog = "-"
# gunicorn 27's control socket lives in the user's home by default, one path for every
# gunicorn the user runs (two app instances on one host would share it): not used here.
control_socket_disable = True
