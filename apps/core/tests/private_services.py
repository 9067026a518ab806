"""Real servers the fault tests start, break and bring back, each private to the test that uses it:

- `TcpProxy`: a TCP forwarder in front of a server (our PostgreSQL) that can be cut (every connection dropped,
  new ones refused, as when the server restarts) and restored on the same port;
- `PrivateRedis`: a redis-server of our own on a free port, stopped and started again on that port;
- `ThrowawayPostgres`: a PostgreSQL cluster made by initdb in a temporary folder (as the `postgres` user when we
  are root, since PostgreSQL refuses to run as root), the way scripts/services.sh makes the development one;
- `CeleryWorker`: `celery -A config worker` in its own process group, to kill with SIGKILL mid-task.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import kombu.pools
import redis
from cryptography.fernet import Fernet
from django.conf import settings

from config.celery import app as celery_app


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")


# --- A TCP proxy we can cut ---------------------------------------------------------------------------------------


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self.restore()

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self._stop = threading.Event()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener, self._stop), daemon=True).start()

    def cut(self) -> None:
        """Drop every open connection and refuse new ones: what clients see while the server restarts."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    close = cut

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


# --- Redis ----------------------------------------------------------------------------------------------------------


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=2)

    def start(self) -> None:
        redis_server = shutil.which("redis-server")
        assert redis_server, "redis-server is not installed (scripts/bootstrap.sh installs it)"
        self.process = subprocess.Popen(
            [redis_server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder), "--save", ""],
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until(self._answers, timeout=10, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None


# --- A throwaway PostgreSQL cluster --------------------------------------------------------------------------------


def postgres_bin() -> Path:
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    assert installed, "PostgreSQL server binaries not found under /usr/lib/postgresql"
    return installed[-1].parent


class ThrowawayPostgres:
    """A cluster in a folder of its own under /var/tmp: pytest's temporary folders are private to their owner, and
    as root the cluster belongs to the `postgres` user, who must reach it (scripts/services.sh does the same)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pinch-test-pg-", dir="/var/tmp"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.bin = postgres_bin()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres")

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=120)

    def initdb(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    def start(self) -> None:
        # -l: the server writes there, not to our pipes (which would then never close).
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}"
        self._run(str(self.bin / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options)

    def restart(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "restart", "-D", str(self.data), "-l", str(self.log), "-w", "-m", "fast")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-w", "-t", "60", "-m", "immediate")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


# --- Celery ---------------------------------------------------------------------------------------------------------


def use_broker(url: str | None) -> None:
    """Queue tasks for real on `url` (None: back to running them inline, as the other tests do). Connection and
    producer pools remember the broker they were made for (kombu keeps them in global registries), so they are
    closed and forgotten either way, as after a fork."""
    kombu.pools.reset()
    celery_app._after_fork()
    if url is None:
        celery_app.conf.task_always_eager = True
        celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    else:
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = url


def database_url_of_tests(user: str | None = None) -> str:
    """The URL of the database the tests use (pytest-django's test database), for processes we start."""
    database = settings.DATABASES["default"]
    credentials = user or database["USER"]
    password = settings.DATABASE_APP_PASSWORD if user == settings.DATABASE_APP_ROLE else database.get("PASSWORD")
    if password and (user is None or user == settings.DATABASE_APP_ROLE):
        credentials += f":{password}"
    return f"postgis://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def production_env(**overrides: str) -> dict[str, str]:
    """Environment of a production-like process (DEBUG off) started by a test: the secrets production insists on,
    plain HTTP (no proxy in front to terminate TLS), static files without a collected manifest."""
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PAYMENT_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "LOG_FORMAT": "json",
        **overrides,
    }


class CeleryWorker:
    def __init__(self, *, name: str, env: dict[str, str], log: Path, concurrency: int = 2) -> None:
        self.name = name
        self.env = env
        self.log = log
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO"]
        command += ["--pool", "prefork", "--concurrency", str(self.concurrency), "--hostname", f"{self.name}@%h"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        self._offset = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env={**os.environ, **self.env},
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool processes die with it
        )
        wait_until(self._ready, timeout=60, what=f"the Celery worker {self.name} to start (log: {self.log})")

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"the Celery worker {self.name} exited; its log:\n{self.log.read_text()[-4000:]}")
        return " ready." in self.log.read_text()[self._offset :]

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes at once: no chance to acknowledge or hand anything back."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None
