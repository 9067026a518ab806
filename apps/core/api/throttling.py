"""Rate limits per signed-in user AND per client address, for one scope of endpoints (README, "Security and
hardening"). A view opts in with

    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "bookings"

and settings give two rates, `bookings_user` (each account, wherever it connects from) and `bookings_ip` (each
address, whoever is signed in: many accounts from one address share it; anonymous callers have only this one).
Over either, the answer is 429 with `Retry-After`. Counters live in the cache (Redis), shared by every process;
while Redis is down nothing is counted (the cache ignores its errors), so the site stays up unthrottled.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from apps.core.security import client_ip


class _ScopedPartRateThrottle(ScopedRateThrottle):
    part = ""

    def allow_request(self, request, view):
        scope = getattr(view, self.scope_attr, None)
        if not scope:
            return True
        self.scope = f"{scope}_{self.part}"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)

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
