"""The web server's connection settings (deploy/gunicorn.conf.py), checked on a real gunicorn: a worker holds at
most 2 x threads connections and keeps at most `threads` of them idle, so kept-alive connections cannot all pile up
on the worker that happened to accept them."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APP = """
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()  # the configuration's post_worker_init walks the URLconf


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    (tmp_path / "pidapp.py").write_text(APP)
    port = _free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "1",
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(tmp_path),
    }
    env.pop("GUNICORN_WORKER_CONNECTIONS", None)  # the default: 2 x threads
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "pidapp:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=30)


def _get(connection: http.client.HTTPConnection) -> http.client.HTTPResponse:
    connection.request("GET", "/")
    response = connection.getresponse()
    response.read()
    return response


def test_a_worker_keeps_alive_only_as_many_idle_connections_as_its_spare_connections(gunicorn):
    # 1 thread, so 2 connections at most and 1 kept alive: the first client's
    # connection stays open, the second client's is closed after its answer (the worker is then free to accept a
    # connection another worker missed).
    first = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10)
    second = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10)
    try:
        assert _get(first).getheader("Connection", "").lower() != "close"
        assert _get(second).getheader("Connection", "").lower() == "close"
        assert _get(first).status == 200  # still the same, kept-alive connection
    finally:
        first.close()
        second.close()
