"""gunicorn settings of the web process in production: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Sized for a 2-core machine and overridable by environment variables (README, "Deploying and scaling"):

- `gthread` workers: requests mostly wait on PostgreSQL, Redis or a provider, so each worker process serves
  several at once from threads. `GUNICORN_WORKERS` (cores + 1: 3 on 2 cores) times `GUNICORN_THREADS` (4) requests
  at a time, and as many persistent database connections (`DATABASE_CONN_MAX_AGE`) at most.
- `GUNICORN_WORKER_CONNECTIONS` (3 x threads): a worker holding that many connections stops accepting, and keeps at
  most that many minus `threads` idle kept-alive ones, so a burst of the proxy's persistent connections spreads
  over all the workers instead of landing on one (see the comment below); a worker holding all it may closes a
  connection after its answer when a client waits to be accepted (`pre_request`), so no client waits for long.
  The workers together hold the proxy's pool of upstream connections (deploy/nginx: 16 per nginx process, one
  process a core: 32 on 2 cores against 3 x 12), so none of them waits for a turn.
- `GUNICORN_TIMEOUT` (30 s): a worker silent for longer is killed and replaced; nothing we serve takes that long.
- `GUNICORN_MAX_REQUESTS` (1000, ± `GUNICORN_MAX_REQUESTS_JITTER` 100): a worker is recycled after that many
  requests, so a slow leak never grows for long, and workers are not all recycled at once.
- `GUNICORN_PRELOAD` (off): with it off, `systemctl reload` (HUP) starts workers that import the new code while
  the old ones finish their requests: a deploy without downtime. On, the app is imported once in the master and
  shared copy-on-write (less memory, faster forks), but a reload keeps the old code: deploy with a restart.
- Each worker freezes the objects it loaded at start (`post_worker_init`, `apps.core.memory`): Python's full
  garbage collections then skip them, where walking them all stalled every thread of the worker for ~70 ms.
- Metrics of all workers: with `PROMETHEUS_MULTIPROC_DIR` set, the folder is emptied at start and each dead
  worker's files are marked, so `/metrics` adds up the living and the dead workers' counts correctly.
"""

import os
import select
import sys
import time
import weakref
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.core.observability.logging import logging_config  # noqa: E402  (needs the project on sys.path)


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Between requests a web process's connections hold the least privilege, `anonymous`, not the `system` context of
# tasks and commands; an anonymous request then sends no context at all (apps/users/rls.py). The environment wins.
os.environ.setdefault("DATABASE_RLS_DEFAULT_CONTEXT", "anonymous")

chdir = str(ROOT)
wsgi_app = "config.wsgi:application"
proc_name = "pinch-web"
# Behind the proxy on the same machine; GUNICORN_BIND=unix:/run/pinch/web.sock also works.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", _cores() + 1)
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM or a reload, workers finish the requests they have for this long before being stopped.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# The proxy keeps connections to us open between requests.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A kept-alive connection stays with the worker that accepted it, and whichever worker is idle when a burst of
# connections arrives accepts most of them: one process (one GIL, one core) then serves nearly all the load while
# the others idle. In the booking benchmark (32 clients connecting at once) one worker did 93 % of the work; with
# a cap each worker stops accepting at that many connections (the others take the rest) and keeps at most the cap
# minus `threads` idle: shares 34/33/33 %, 67 -> 113 requests/s. The HTTP mix, whose locust users connect one after
# another and so spread anyway, lost 0-17 % of its requests/s (noisy). The clients beyond what the workers then hold
# are served in turns (`pre_request` below), but a turn is a wait: at 2 x threads (24 connections for 32 clients) the
# booking benchmark's p95 was 420 ms against 255 ms at 3 x threads (36), the same requests/s (bench/RESULTS.md,
# seventh, eighth and tenth rounds). 3 x threads still spreads a burst over the workers (at most 12 + 12 + 8).
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 3 * threads)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
preload_app = os.environ.get("GUNICORN_PRELOAD", "false").lower() in {"1", "true", "yes", "on"}
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108  (the documented gunicorn idiom)

# Only the proxy on this machine may tell us the scheme through X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Django writes one access line per request with its request id (LOG_REQUESTS); gunicorn's would repeat it.
accesslog = None
errorlog = "-"
_log = logging_config(log_format=os.environ.get("LOG_FORMAT", "json"), level=os.environ.get("LOG_LEVEL", "INFO"))
_log["loggers"]["gunicorn.error"] = {"handlers": ["console"], "level": "INFO", "propagate": False}
logconfig_dict = _log


def _clients_waiting(listeners) -> bool:
    """Whether a connection waits to be accepted on one of the listening sockets (they are shared by the workers)."""
    try:
        return bool(select.select(listeners, [], [], 0)[0])
    except (OSError, ValueError):  # a socket closed by a stopping worker
        return False


# A connection a worker at its cap closes for a waiting client has served it for at least this long: closing one
# after every answer made every client reconnect for every request (the trivial view's requests/s -28 %).
_TURN_SECONDS = 0.5
_first_request_at: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # socket -> time.monotonic()


def pre_request(worker, req) -> None:
    """A worker holding all the connections it may (`worker_connections`) closes this one after its answer when a
    client waits to be accepted and the connection has been served for `_TURN_SECONDS`. gunicorn closes a kept-alive
    connection only when the worker has more than `worker_connections - threads` of them idle, and under load they
    are never idle: they wait in the worker's queue for a thread. Without this, the connections beyond what the
    workers hold wait in the listen queue for as long as the others keep theirs busy: in the booking benchmark 8 of
    32 clients were not answered for the whole run (20 s). Now the waiting are accepted in turn and the closed
    clients reconnect behind them; with nobody waiting nothing is closed."""
    worker.log.debug("%s %s", req.method, req.path)  # gunicorn's own pre_request
    held, allowed = getattr(worker, "nr_conns", 0), getattr(worker, "worker_connections", 0)
    client = getattr(getattr(req, "unreader", None), "sock", None)  # None for an HTTP/2 stream
    if not allowed or client is None:
        return
    now = time.monotonic()
    served_since = _first_request_at.setdefault(client, now)
    if held >= allowed and now - served_since >= _TURN_SECONDS and _clients_waiting(worker.sockets):
        req.force_close()


def on_starting(server) -> None:
    """Counts of an earlier run must not be added to this one's."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):
        stale.unlink()


def post_worker_init(worker) -> None:
    """The worker has loaded the application: keep what it loaded out of the garbage collector's way."""
    from apps.core.memory import freeze_startup_objects

    frozen = freeze_startup_objects()
    worker.log.debug("Froze %d start-up objects out of the garbage collector's way", frozen)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
