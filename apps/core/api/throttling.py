"""Rate limits per signed-in user AND per client address, for one scope of endpoints (README, "Security and
hardening"). A view opts in with

    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "bookings"

and settings give two rates, `bookings_user` (each account, wherever it connects from) and `bookings_ip` (each
address, whoever is signed in: many accounts from one address share it; anonymous callers have only this one).
Over either, the answer is 429 with `Retry-After`. Counters live in the cache (Redis), shared by every process;
while Redis is down nothing is counted (the cache ignores its errors), so the site stays up unthrottled.

How a request is counted: DRF's `SimpleRateThrottle` reads the list of recent request times from the cache, decides
in Python and writes the list back: two round trips, and two requests that read the same list at once both pass and
one's time is lost, so concurrent clients get past the rate (encode/django-rest-framework#5181 and #8127; DRF's
docs leave an atomic throttle to the project). When the cache is django-redis, ours keeps the times in a sorted set
and a Lua script drops the expired ones, counts, and adds this request's time or answers how long to wait, in one
round trip that no other request can interleave with; the times are Redis's own clock, so web machines whose clocks
differ count alike. With another cache backend DRF's own read-and-write is used.
"""

import functools
import logging
import secrets

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from apps.core.security import client_ip

logger = logging.getLogger(__name__)

# KEYS: the sorted set of this client's request times (microseconds). ARGV: the window (µs), the rate, a member id.
# Returns -1 when the request is counted, else the microseconds until the oldest counted request leaves the window.
_COUNT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  return -1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(tonumber(oldest[2]) + window - now, 1)
"""


@functools.cache
def _count_script(client):
    """The script, sent by its hash (EVALSHA), loaded into Redis on first use."""
    return client.register_script(_COUNT)


def _redis_client():
    """The cache's Redis client, or None when the cache is not django-redis."""
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None


class _ScopedPartRateThrottle(ScopedRateThrottle):
    part = ""
    # Not DRF's "throttle_%(scope)s_%(ident)s": a key DRF's throttle wrote (a pickled list) is not a sorted set.
    cache_format = "throttle_times_%(scope)s_%(ident)s"

    def allow_request(self, request, view):
        scope = getattr(view, self.scope_attr, None)
        if not scope:
            return True
        self.scope = f"{scope}_{self.part}"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        client = _redis_client()
        if client is None or self.rate is None:  # no rate: not limited, as with DRF's throttles
            return super(ScopedRateThrottle, self).allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        try:
            waited = _count_script(client)(
                keys=[cache.make_key(self.key)],
                args=[self.duration * 1_000_000, self.num_requests, secrets.token_hex(8)],
            )
        except RedisError:
            logger.warning("rate limit not counted: the cache's Redis failed", exc_info=True)
            return True
        self._wait = None if waited < 0 else waited / 1_000_000
        return self._wait is None

    def wait(self):
        if getattr(self, "_wait", None) is not None:
            return self._wait
        return super().wait()

    def get_rate(self):
        # Read the rates now rather than when the class was defined, so that changed settings take effect.
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f'Set REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["{self.scope}"] (e.g. "60/min").')
        return rates[self.scope]

    def get_ident(self, request):
        return client_ip(request) or ""


class ScopedUserRateThrottle(_ScopedPartRateThrottle):
    """`<scope>_user`: requests per signed-in account. Anonymous requests are left to the address rate."""

    part = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class ScopedAddressRateThrottle(_ScopedPartRateThrottle):
    """`<scope>_ip`: requests per client address (see `apps.core.security.client_ip` for proxies)."""

    part = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


SCOPED_THROTTLES = [ScopedUserRateThrottle, ScopedAddressRateThrottle]
