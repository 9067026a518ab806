"""Replaying the first answer to a POST sent with an `Idempotency-Key` header (as Stripe's API does).

The first request with a key claims it (a row whose unique key makes concurrent copies wait on the database),
does the work and stores its answer; every later request with the same key gets that stored answer — success or
refusal — and nothing is done twice. The same key with a different body is a client error (422).
"""

import hashlib
import json
import time
from collections.abc import Callable
from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.response import Response

from apps.core.api.exceptions import domain_error_response
from apps.core.errors import DomainError, InvalidInput
from apps.core.models import IdempotencyRecord
from apps.core.prepared import bound_on_server, prepared_cursor

WAIT_FOR_FIRST_SECONDS = 15
MAX_KEY_LENGTH = 255


class KeyReused(DomainError):
    status_code = 422
    default_code = "idempotency_key_reused"


class StillProcessing(DomainError):
    status_code = 409
    default_code = "idempotency_key_in_progress"


def _fingerprint(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@bound_on_server()  # the record's statements are the same on every request: prepared once per connection
def idempotent(request, *, scope: str, respond: Callable[[], Response]) -> Response:
    """Answer `request` with `respond()`, at most once per (user, scope, Idempotency-Key)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return respond()
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"At most {MAX_KEY_LENGTH} characters.", attr="Idempotency-Key")
    fingerprint = _fingerprint(request.data)
    try:
        record_id = _claim(request.user, key, scope, fingerprint)
    except IntegrityError:
        return _replay(request.user, key, scope, fingerprint)
    try:
        response = respond()
    except DomainError as error:
        response = domain_error_response(error)
    except Exception:
        IdempotencyRecord.objects.filter(pk=record_id).delete()  # let the client retry a crash
        raise
    answer = _RESPONSE_BODY.get_db_prep_save(response.data, connection)  # as the ORM writes the JSON
    with prepared_cursor() as cursor:
        cursor.execute(_COMPLETE_SQL, [response.status_code, answer, timezone.now(), record_id])
    return response


# The two statements every request with a key sends, written out: through the ORM they cost ~0.25 ms of CPU each,
# like this ~0.08 ms (bench/RESULTS.md, tenth round). Their columns are the model's (a test reads them back).
_CLAIM_SQL = (
    'INSERT INTO "idempotency_keys" ("user_id", "key", "scope", "request_fingerprint", "created_at")'
    ' VALUES (%s, %s, %s, %s, %s) RETURNING "id"'
)
_COMPLETE_SQL = (
    'UPDATE "idempotency_keys" SET "status_code" = %s, "response_body" = %s, "completed_at" = %s WHERE "id" = %s'
)
_RESPONSE_BODY = IdempotencyRecord._meta.get_field("response_body")


def _claim(user, key: str, scope: str, fingerprint: str) -> int:
    """Insert the key's record and return its id; IntegrityError if another request holds the key.

    Inside a caller's transaction, in a savepoint (a duplicate key must not break that transaction); outside any, the
    INSERT is its own transaction: no BEGIN and COMMIT around it, two round trips fewer on every request with a key.
    """
    with transaction.atomic() if connection.in_atomic_block else nullcontext(), prepared_cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [user.pk, key, scope, fingerprint, timezone.now()])
        return cursor.fetchone()[0]


def _replay(user, key: str, scope: str, fingerprint: str) -> Response:
    deadline = time.monotonic() + WAIT_FOR_FIRST_SECONDS
    while True:
        record = IdempotencyRecord.objects.filter(user=user, key=key, scope=scope).first()
        if record is None:
            raise StillProcessing("The first request with this key failed; send it again.")
        if record.request_fingerprint != fingerprint:
            raise KeyReused("This Idempotency-Key was used with a different request.", attr="Idempotency-Key")
        if record.status_code is not None:
            response = Response(record.response_body, status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        if time.monotonic() > deadline:
            raise StillProcessing("A request with this key is still being processed.", attr="Idempotency-Key")
        time.sleep(0.05)
