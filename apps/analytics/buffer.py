"""A buffer in Redis for the analytics rows of requests (listing views, searches): a request adds its row and the
beat task `flush_analytics` writes what has gathered in batches, one INSERT per batch.

Why not a Celery task per row: publishing a task cost a cached listing detail about half of its time, and each row
then cost the worker a task of its own. Here a request makes one round trip to Redis, a script that both checks the
once-per-visitor-per-minute rule and appends the row; the database takes a thousand rows in one statement.

What it costs: rows reach the database up to one flush interval later (`ANALYTICS_FLUSH_SECONDS`); a Redis that
loses its data loses the rows not yet flushed (by default it is the broker too: queued tasks would go the same way);
the buffer keeps at most `ANALYTICS_BUFFER_MAX_ROWS` rows per kind, dropping the oldest, so a flusher that is down for
long cannot fill Redis's memory.

The buffer's Redis is `ANALYTICS_BUFFER_URL` (default `REDIS_URL`), not the cache's: a cache may be given its own
Redis that evicts keys under memory pressure (`CACHE_URL`), which would drop rows waiting for the flush.
"""

import functools
import json
import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

KINDS = ("view", "search")

# KEYS: the visitor's dedupe key, the buffer. ARGV: dedupe seconds, the row, the buffer's cap.
_ADD_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  if redis.call('RPUSH', KEYS[2], ARGV[2]) > tonumber(ARGV[3]) then
    redis.call('LPOP', KEYS[2])
  end
  return 1
end
return 0
"""


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, health_check_interval=30)


@functools.cache
def _add_once_script(client: redis.Redis):
    """The script, sent by its hash (EVALSHA), loaded into Redis on first use."""
    return client.register_script(_ADD_ONCE)


def _redis() -> redis.Redis:
    return _client(settings.ANALYTICS_BUFFER_URL)


def buffer_key(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown analytics kind {kind!r}")
    return cache.make_key(f"analytics:buffer:{kind}")


def add_once(kind: str, *, dedupe_key: str, seconds: int, row: dict) -> bool:
    """Append `row` to the buffer of `kind` unless `dedupe_key` was seen in the last `seconds`: one round trip.
    True when the row was added."""
    added = _add_once_script(_redis())(
        keys=[cache.make_key(dedupe_key), buffer_key(kind)],
        args=[seconds, json.dumps(row, separators=(",", ":")), settings.ANALYTICS_BUFFER_MAX_ROWS],
    )
    return bool(added)


def pending(kind: str) -> int:
    return int(_redis().llen(buffer_key(kind)))


def _take(kind: str, count: int) -> list[bytes]:
    """The oldest `count` rows, removed from the buffer in one transaction: two flushes never take the same row."""
    pipe = _redis().pipeline(transaction=True)
    pipe.lrange(buffer_key(kind), 0, count - 1)
    pipe.ltrim(buffer_key(kind), count, -1)
    rows, _ = pipe.execute()
    return rows


def _give_back(kind: str, rows: list[bytes]) -> None:
    """Put rows that could not be written back at the head of the buffer, in their order."""
    if rows:
        _redis().lpush(buffer_key(kind), *reversed(rows))


def flush(kind: str, write: Callable[[list[dict]], int], *, batch: int) -> int:
    """Write the buffer of `kind` with `write`, `batch` rows to a transaction, until it is empty; rows written. A
    batch the database refuses goes back to the buffer (the error is raised: the next flush tries again); a row
    that is not JSON is logged and dropped."""
    written = 0
    while True:
        raw = _take(kind, batch)
        if not raw:
            return written
        rows = []
        for item in raw:
            try:
                rows.append(json.loads(item))
            except ValueError:
                logger.error("analytics %s buffer: dropped a row that is not JSON: %r", kind, item[:200])
        try:
            with transaction.atomic():
                written += write(rows)
        except Exception:
            _give_back(kind, raw)
            raise
        if len(raw) < batch:
            return written
