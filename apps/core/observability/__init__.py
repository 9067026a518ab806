"""Observability: what the running product tells its operators.

- `context`: the request id of the work in progress (an HTTP request, or a Celery task queued by one).
- `logging`: log records carry that id; JSON lines in production, plain text for local development.
- `middleware`: accepts or makes the request id, times every request, writes the access log, answers `/metrics`.
- `metrics`: the Prometheus metrics and their protected exposition (`/metrics`).
- `business`: counts bookings and payments as their changes commit.
- `celery`: the request id in task headers, task failures and retries as metrics, Celery's logging.
- `sentry`: error reporting to Sentry when `SENTRY_DSN` is set.
- `errors`: a database that is unreachable answers 503 in the API's error shape instead of a server error.

Nothing here imports a domain app: the business counters read the models they watch through the model
signals' lazy `"app_label.Model"` senders.
"""
