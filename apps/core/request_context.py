"""Who is asking, from where: set once per request by middleware, read by the audit log.

Services do not take the HTTP request as an argument; the few facts the audit log needs about it
(address, user agent, path) travel in a context variable instead.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from apps.core.security import client_ip


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("request_context", default=_EMPTY)


def current_request_context() -> RequestContext:
    return _current.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(
            RequestContext(
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:1000],
                path=request.path[:255],
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
