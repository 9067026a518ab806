"""The request id: one id for everything done on behalf of one HTTP request, across the web and Celery.

The web takes the `X-Request-ID` the proxy sends (when it looks like an id) or makes one, and binds it for the
request; tasks queued meanwhile carry it in a message header and bind it again in the worker (see
`apps.core.observability.celery`). Work started by nobody's request (beat, a command) gets an id of its own, so
its lines still group together.
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from outside: UUIDs, nginx's $request_id (32 hex digits), Heroku's and most proxies' ids. Anything
# else (too long, spaces, quotes, control characters) is replaced, so the id is always safe to log and echo.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+=/-]{7,127}$")


@dataclass(frozen=True)
class TaskInfo:
    task_id: str
    task_name: str


_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_task: ContextVar[TaskInfo | None] = ContextVar("celery_task", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str | None:
    """The id itself when it is acceptable, else None (the caller then makes a new one)."""
    if value and _VALID_REQUEST_ID.match(value):
        return value
    return None


def current_request_id() -> str | None:
    return _request_id.get()


def current_task() -> TaskInfo | None:
    return _task.get()


def start_request(request_id: str) -> None:
    """Bind the id of the HTTP request being handled until `end_request()`. Not a `with` block: Django logs a
    request's 4xx/5xx answer after the middleware has returned, and that line belongs to the request too."""
    _request_id.set(request_id)


def end_request() -> None:
    _request_id.set(None)


@contextmanager
def bound_request_id(request_id: str) -> Iterator[str]:
    """Everything logged (and every task queued) inside the block belongs to `request_id`."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


def bind_task(*, request_id: str, task: TaskInfo) -> tuple:
    """Bind a task's ids until `unbind_task(tokens)`. (Celery announces a task's start and end in two separate
    signals, so this cannot be a `with` block.)"""
    return _request_id.set(request_id), _task.set(task)


def unbind_task(tokens: tuple) -> None:
    request_token, task_token = tokens
    _task.reset(task_token)
    _request_id.reset(request_token)
