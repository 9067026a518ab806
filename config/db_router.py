"""Read replicas: reads that tolerate a little lag go to a streaming replica, everything else to the primary.

Configuration: `DATABASE_REPLICA_URLS` (comma-separated database URLs) becomes `DATABASES["replica_1"]`,
`["replica_2"]`, ... (see `replica_databases`); with none set there is only `default` and this router answers
`default` for everything, so nothing changes.

Which reads may lag is decided in one place, per request, never per model alone:

- `ReplicaReadsMiddleware` marks the GET/HEAD requests of the lag-tolerant views named in `REPLICA_READ_VIEWS`
  (search, public listing and review pages, the analytics dashboards);
- code outside a request (a report, a benchmark) marks a block with `with use_replica():` or `@use_replica()`.

Inside a marked block, a read goes to a replica when all of these hold, else to `default`:

1. at least one replica is configured;
2. the model belongs to an app whose data may lag (`REPLICA_APPS`: listings, search, reviews, analytics, and the
   public user fields joined into them); money, bookings and sessions are always read from the primary;
3. the primary connection is not inside a transaction (`connection.in_atomic_block`): every read inside a write
   transaction sees that transaction's own writes, so it must stay on the primary;
4. the request has not written yet (`pin_to_primary`, called by `db_for_write`): read-your-writes for the rest
   of the request.

Writes always go to `default`. Replicas are the same database (same migrations), so relations between objects
from `default` and a replica are allowed and migrations run only on `default`.

Row-level security: replica connections start in `DATABASE_RLS_DEFAULT_CONTEXT` like every new connection
(apps/users/rls.py) and are never switched to a user; the tables read there (listings, reviews, analytics and the
users' public columns, whose read policy is `true`) do not depend on the context.
"""

from __future__ import annotations

import contextvars
import functools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections

DEFAULT = "default"
REPLICA_PREFIX = "replica_"
# Apps whose rows a lag of a second or two cannot make wrong for the reader.
REPLICA_APPS = frozenset({"listings", "search", "reviews", "analytics", "users", "gis", "contenttypes"})
# url names (app_name:name when namespaced) of the views whose GET/HEAD reads may lag.
REPLICA_READ_VIEWS = frozenset(
    {
        "api-listings",  # search
        "api-listing",  # listing detail
        "api-listing-reviews",
        "api-host-analytics",
        "search",
        "listing_detail",
        "home",
    }
)

_marked: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_pinned", default=False)


def replica_databases(urls: str, default: dict[str, Any], parse: Callable[[str], dict[str, Any]]) -> dict[str, dict]:
    """`{"replica_1": {...}, ...}` from a comma-separated list of URLs, with the primary's engine and options."""
    databases = {}
    for number, url in enumerate((part.strip() for part in urls.split(",") if part.strip()), start=1):
        config = parse(url)
        config["ENGINE"] = default["ENGINE"]
        config["CONN_MAX_AGE"] = default.get("CONN_MAX_AGE", 0)
        config["CONN_HEALTH_CHECKS"] = default.get("CONN_HEALTH_CHECKS", False)
        config["OPTIONS"] = {**default.get("OPTIONS", {}), **config.get("OPTIONS", {})}
        config["TEST"] = {"MIRROR": DEFAULT}  # tests read the test database through every alias
        databases[f"{REPLICA_PREFIX}{number}"] = config
    return databases


def replicas() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


class use_replica:
    """Mark the reads in this block (or function) as tolerant of replica lag."""

    def __enter__(self) -> None:
        self._token = _marked.set(True)

    def __exit__(self, *exc_info: object) -> None:
        _marked.reset(self._token)

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with use_replica():
                return function(*args, **kwargs)

        return wrapper


@contextmanager
def request_scope() -> Iterator[None]:
    """A fresh (unmarked, unpinned) routing state for one request, restored afterwards."""
    marked, pinned = _marked.set(False), _pinned.set(False)
    try:
        yield
    finally:
        _pinned.reset(pinned)
        _marked.reset(marked)


def pin_to_primary() -> None:
    """Read from the primary for the rest of this request or block (after a write: read your own writes)."""
    _pinned.set(True)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str:
        if not _marked.get() or _pinned.get() or model._meta.app_label not in REPLICA_APPS:
            return DEFAULT
        if connections[DEFAULT].in_atomic_block:
            return DEFAULT
        aliases = replicas()
        if not aliases:
            return DEFAULT
        return aliases[0] if len(aliases) == 1 else random.choice(aliases)  # noqa: S311 - load spreading, not security

    def db_for_write(self, model: type, **hints: Any) -> str:
        if _marked.get():
            pin_to_primary()
        return DEFAULT

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every alias is the same database

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT


class ReplicaReadsMiddleware:
    """Marks the GET/HEAD requests of `REPLICA_READ_VIEWS` as lag-tolerant (installed only with replicas)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with request_scope():
            return self.get_response(request)

    def process_view(self, request: Any, view_func: Callable, view_args: Any, view_kwargs: Any) -> None:
        match = getattr(request, "resolver_match", None)
        if request.method in ("GET", "HEAD") and match is not None and match.view_name in REPLICA_READ_VIEWS:
            _marked.set(True)
        return None
