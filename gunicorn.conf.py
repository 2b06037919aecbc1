"""gunicorn settings of Veza's web processes: ``gunicorn veza.wsgi -c gunicorn.conf.py``.

(gunicorn also reads ``./gunicorn.conf.py`` by itself when started from the project folder.)
Command-line flags and ``GUNICORN_CMD_ARGS`` override anything here, e.g.
``GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000 --forwarded-allow-ips=*"``.

- The app is loaded once in the master, then forked (``preload_app``): workers start in
  milliseconds and share the code's memory pages until they write to them.
- Sync workers, ``WEB_CONCURRENCY`` of them, by default 2 per CPU this process may use (its
  affinity and its cgroup's CPU quota, so a container limited to 1 CPU gets 2, not 2 per host
  core) plus 1: requests mostly wait on PostgreSQL and Redis, media bytes leave with sendfile.
- Each worker is replaced after ``max_requests`` (with a random jitter so they do not all
  restart together): whatever a long-lived process accumulates (fragmented memory, the audio
  stack after an upload) is given back.
- A request that takes longer than ``timeout`` seconds gets its worker killed and replaced
  (502 at the proxy); on a restart or deploy (SIGTERM, SIGHUP), workers finish the requests in
  hand for up to ``graceful_timeout`` seconds.
"""

from __future__ import annotations

import math
import os


def _usable_cpus() -> int:
    """CPUs this process may run on: its affinity, capped by a cgroup v2 quota (containers)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        cpus = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as handle:
            quota, period = handle.read().split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cpus)


wsgi_app = "veza.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _usable_cpus() + 1)
worker_class = "sync"
preload_app = True

timeout = 30
graceful_timeout = 30
keepalive = 5  # behind a reverse proxy that reuses its upstream connections

max_requests = 2000
max_requests_jitter = 200

# /stream and /download answers are file ranges: the kernel copies them (sendfile), not Python.
# sendfile stays on by NOT naming it here: in gunicorn, ``sendfile`` set to any value, True
# included, turns it off (the setting only exists as --no-sendfile); the bench measured it.

# The worker heartbeat file on tmpfs: a container's overlay filesystem can stall it.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# One line per request on stdout, with the time it took (microseconds) and the client's
# address as the proxy saw it.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(f)s" "%(a)s"'


def when_ready(server):
    """The master imported the app (``preload_app``); it must not hand an open database
    connection down to the workers it forks: each worker opens its own."""
    from django.db import connections

    connections.close_all()
