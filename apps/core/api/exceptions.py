"""The one place where errors become HTTP answers, in the shape API.md fixes:
`{"type": ..., "errors": [{"code", "detail", "attr"}]}`."""

from django.http import Http404
from drf_standardized_errors.handler import exception_handler as standardized_exception_handler
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.core.api.handlers import TOO_LARGE, too_large_body
from apps.core.errors import DomainError
from apps.core.observability.errors import ServiceUnavailable, is_database_unavailable


def domain_error_response(error: DomainError) -> Response:
    error_type = "validation_error" if error.status_code == status.HTTP_400_BAD_REQUEST else "client_error"
    return Response(
        {"type": error_type, "errors": [{"code": error.code, "detail": error.detail, "attr": error.attr}]},
        status=error.status_code,
    )


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, TOO_LARGE):  # a multipart field over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files
        return Response(too_large_body(exc), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if is_database_unavailable(exc):
        exc = ServiceUnavailable()
    return standardized_exception_handler(exc, context)
