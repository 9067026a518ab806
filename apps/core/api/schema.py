"""How the OpenAPI schema describes our answers, so that clients (and the API fuzzer) can rely on it.

Every error has API.md's one shape, `{"type", "errors": [{"code", "detail", "attr"}]}`. drf-standardized-errors
writes these responses into the schema, but only for views that use its own exception handler (ours wraps it to
add domain errors) and with `code`/`attr` enums per field that our domain errors (`attr="start"`,
`code="slot_taken"`, ...) do not follow. So the schema documents the shape with `code` and `attr` as free strings,
and says which statuses each operation can answer:

- 400 for a request body or query parameters, 401 when the view authenticates, 403 unless anyone may call it,
  404 for a path parameter or a page, 405 always, 406/415 from content negotiation, 429 when throttled (with
  `Retry-After`), 500 always (bugs happen; the fuzzer fails on any);
- 409 (conflict with the current state) and 413 (body too large) for the methods that change something.

A view adds a status the rules cannot see (a 409 from a read, a 402 from a booking) with `error_responses(...)`.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


@extend_schema_field({"type": "string", "enum": ["validation_error", "client_error"]})
class _InputErrorType(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": ["client_error"]})
class _ClientErrorType(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": ["server_error"]})
class _ServerErrorType(serializers.CharField):
    pass


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable reason, e.g. `required`, `slot_taken`.")
    detail = serializers.CharField(help_text="Human-readable explanation.")
    attr = serializers.CharField(allow_null=True, help_text="The offending field or parameter, or null.")


class InputErrorResponseSerializer(serializers.Serializer):
    """400: `validation_error` names every bad field; `client_error` is a body that could not be parsed."""

    type = _InputErrorType()
    errors = ErrorSerializer(many=True)


class ClientErrorResponseSerializer(serializers.Serializer):
    type = _ClientErrorType()
    errors = ErrorSerializer(many=True)


class ServerErrorResponseSerializer(serializers.Serializer):
    type = _ServerErrorType()
    errors = ErrorSerializer(many=True)


def error_response_serializer(status_code: int | str):
    code = int(status_code)
    if code == 400:
        return InputErrorResponseSerializer
    return ServerErrorResponseSerializer if code >= 500 else ClientErrorResponseSerializer


def error_responses(*status_codes: int) -> dict:
    """`responses={200: X, **error_responses(409)}`: statuses the generic rules do not add."""
    return {code: OpenApiResponse(error_response_serializer(code)) for code in status_codes}


class AutoSchema(StandardizedErrorsAutoSchema):
    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code in responses:
            return False
        rules = {
            "400": self._can_answer_400,
            "401": self._should_add_http401_error_response,
            "403": self._can_answer_403,
            "404": self._should_add_http404_error_response,
            "405": self._should_add_http405_error_response,
            "406": self._should_add_http406_error_response,
            "409": lambda: self.method in UNSAFE_METHODS,
            "413": lambda: self.method in BODY_METHODS,
            "415": lambda: self.method in BODY_METHODS and self._should_add_http415_error_response(),
            "429": self._should_add_http429_error_response,
            "500": self._should_add_http500_error_response,
        }
        rule = rules.get(status_code)
        return bool(rule and rule())

    def _can_answer_400(self) -> bool:
        has_query = any(parameter["in"] == "query" for parameter in self._get_parameters())
        return (
            has_query
            or (self.method in BODY_METHODS and self._should_add_parse_error_response())
            or self._should_add_validation_error_response()
        )

    def _can_answer_403(self) -> bool:
        # Unlike drf-standardized-errors, an IsAuthenticated view can still answer 403: services refuse a signed-in
        # user who may not do this (a guest approving a booking, an unverified email booking).
        permissions = self.view.get_permissions()
        return bool(permissions) and not all(isinstance(permission, AllowAny) for permission in permissions)

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if self.method == "GET" and getattr(self.get_response_serializers(), "is_page_of_rows", False):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _get_error_response_serializer(self, status_code: str):
        return error_response_serializer(status_code)

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        # An error documented by its description only (`OpenApiResponse(description=...)`) still has the error shape.
        if str(status_code)[0] in "45" and isinstance(serializer, OpenApiResponse) and serializer.response is None:
            serializer = OpenApiResponse(error_response_serializer(status_code), description=serializer.description)
        return super()._get_response_for_code(serializer, status_code, media_types, direction)


def document_retry_after(result, generator, request, public):
    """drf-spectacular post-processing hook: every 429 answer carries `Retry-After` (seconds to wait)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            throttled = operation.get("responses", {}).get("429") if isinstance(operation, dict) else None
            if throttled is not None:
                throttled.setdefault("headers", {})["Retry-After"] = {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 0},
                    "required": True,
                }
    return result


LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def describe_local_times(result, generator, request, public):
    """drf-spectacular post-processing hook. A time of day here (opening hours, rule windows) is a wall-clock time
    in the listing's zone, `08:30:00`, without an offset; OpenAPI's `format: time` is RFC 3339's full-time, which
    requires one, so clients and validators would reject our own answers. Describe it by a pattern instead."""

    def visit(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                node.pop("format")
                node["pattern"] = LOCAL_TIME_PATTERN
                node.setdefault("example", "08:30:00")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result.get("components", {}))
    visit(result.get("paths", {}))
    return result
