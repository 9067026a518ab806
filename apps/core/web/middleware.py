"""Web pages answer a service's refusal with the matching error page instead of a server error."""

from django.http import Http404
from django.shortcuts import render

from apps.core.errors import DomainError, NotFound


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") or not isinstance(exception, DomainError):
            return None
        if isinstance(exception, NotFound):
            raise Http404(exception.detail)
        return render(request, "error.html", {"detail": exception.detail}, status=exception.status_code)
