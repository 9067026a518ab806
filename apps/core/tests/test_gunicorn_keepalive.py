"""The web server's connection settings (deploy/gunicorn.conf.py), checked on a real gunicorn: a worker holds at
most 3 x threads connections and keeps at most 2 x threads of them idle, so kept-alive connections cannot all pile up
on the worker that happened to accept them; and a client beyond what the workers hold is not left waiting while the
others keep their connections busy."""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APP = """
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()  # the configuration's post_worker_init walks the URLconf


def application(environ, start_response):
    if environ["PATH_INFO"] == "/busy":
        time.sleep(0.05)  # a request that keeps its connection in use (waiting for or holding a thread)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _serving(tmp_path, *, threads: int, connections: int | None = None):
    """The port of a gunicorn with our configuration serving the test app, stopped on leaving."""
    (tmp_path / "pidapp.py").write_text(APP)
    port = _free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": str(threads),
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(tmp_path),
    }
    env.pop("GUNICORN_WORKER_CONNECTIONS", None)  # the default: 3 x threads
    if connections is not None:
        env["GUNICORN_WORKER_CONNECTIONS"] = str(connections)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "pidapp:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Until its worker answers, not only until the master listens: a worker still booting (Django's setup takes
    # seconds on a busy machine) would hold the tests' first requests and count as a client left waiting.
    deadline = time.monotonic() + 30
    while True:
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            probe.request("GET", "/")
            if probe.getresponse().status == 200:
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.1)
        finally:
            probe.close()
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def gunicorn(tmp_path):
    with _serving(tmp_path, threads=1) as port:
        yield port


@pytest.fixture
def gunicorn_two_threads(tmp_path):
    # 6 connections, at most 4 of them idle: with two in use, a connection would be closed by gunicorn's own rule only
    # when the other four were all idle at once, which busy clients never are.
    with _serving(tmp_path, threads=2, connections=6) as port:
        yield port


def _get(connection: http.client.HTTPConnection) -> http.client.HTTPResponse:
    connection.request("GET", "/")
    response = connection.getresponse()
    response.read()
    return response


def test_a_worker_keeps_alive_only_as_many_idle_connections_as_its_spare_connections(gunicorn):
    # 1 thread, so 3 connections at most and 2 kept alive: the first two clients' connections stay open, the third
    # client's is closed after its answer (the worker is then free to accept a connection another worker missed).
    first, second, third = (http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10) for _ in range(3))
    try:
        assert _get(first).getheader("Connection", "").lower() != "close"
        time.sleep(0.2)  # the worker's main thread puts the connection back among the idle after answering
        assert _get(second).getheader("Connection", "").lower() != "close"
        time.sleep(0.2)
        assert _get(third).getheader("Connection", "").lower() == "close"
        assert _get(first).status == 200  # still the same, kept-alive connections
        assert _get(second).status == 200
    finally:
        for connection in (first, second, third):
            connection.close()


def test_a_client_beyond_the_connections_a_worker_holds_is_answered_while_the_others_stay_busy(gunicorn_two_threads):
    # 1 worker x 2 threads holds 6 connections. Eight clients keep theirs busy (gunicorn's own rule closes none): the
    # two it did not accept must still be answered, soon and repeatedly.
    stop_at = time.monotonic() + 3
    answers: dict[int, int] = {}
    longest: dict[int, float] = {}

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", gunicorn_two_threads, timeout=30)
        answers[number], longest[number] = 0, 0.0
        try:
            while time.monotonic() < stop_at:
                began = time.monotonic()
                connection.request("GET", "/busy")
                response = connection.getresponse()
                response.read()
                assert response.status == 200
                answers[number] += 1
                longest[number] = max(longest[number], time.monotonic() - began)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()  # http.client reconnects on the next request
        finally:
            connection.close()

    clients = [threading.Thread(target=client, args=(number,)) for number in range(8)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=60)

    # Starved, a client is answered once, when the others stop after 3 s; served, each is answered ~12 times.
    assert min(answers.values()) >= 2, answers
    assert max(longest.values()) < 2.5, longest
