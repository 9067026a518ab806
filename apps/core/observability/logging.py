"""Log records that say which request (or task) they belong to, as JSON lines or plain text.

`LOG_FORMAT=json` (the default when `DJANGO_DEBUG` is off) writes one JSON object per line with `timestamp`,
`level`, `logger`, `message`, `request_id`, `task_id`, `task_name`, whatever `extra=` gave, and `exc_info` for an
exception: what a log shipper (journald → Loki/Elasticsearch/CloudWatch) indexes without parsing. `text` is for
people reading a terminal during local development.
"""

import logging

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from apps.core.observability.context import current_request_id, current_task

LOG_FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)-7s [%(request_label)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s %(task_name)s"


class RequestIdFilter(logging.Filter):
    """Adds `request_id`, `task_id` and `task_name` to every record (None outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        task = current_task()
        record.task_id = task.task_id if task else None
        record.task_name = task.task_name if task else None
        return True


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal: `-` where a record belongs to no request."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        record.request_label = getattr(record, "request_id", None) or "-"
        return super().format(record)


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        JSON_FIELDS,
        rename_fields={"asctime": "timestamp", "levelname": "level", "name": "logger"},
        # Django passes the request object itself along with its log records; its text holds the query string,
        # which may hold personal data. The path, method and status are logged by our access log instead.
        reserved_attrs=[*RESERVED_ATTRS, "request", "server_time", "taskName", "request_label"],
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )


def logging_config(*, log_format: str, level: str) -> dict:
    """The `LOGGING` setting: everything goes to standard output (systemd's journal, a container's log), once."""
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}.")
    level = level.upper()
    if level not in logging.getLevelNamesMapping():
        raise ImproperlyConfigured(f"LOG_LEVEL must be a logging level such as INFO or DEBUG, not {level!r}.")
    if log_format == "json":
        formatter = {"()": "apps.core.observability.logging.json_formatter"}
    else:
        formatter = {"()": "apps.core.observability.logging.TextFormatter"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "apps.core.observability.logging.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own configuration gives these loggers handlers of their own (and mails admins); here they
            # propagate to the root handler only, so each record is written once and in the chosen format.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
        },
    }
