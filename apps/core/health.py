"""Liveness and readiness: is the process up, and can it reach the database and the cache."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure to reach the database means "not ready"
        logger.warning("readiness: database unreachable: %s", error)
        return False, error.__class__.__name__
    return True, "ok"


def check_cache() -> tuple[bool, str]:
    try:
        cache.set("readyz", "1", timeout=5)
        if cache.get("readyz") != "1":
            return False, "cache did not return what was stored"
    except Exception as error:  # any failure to reach Redis means "not ready"
        logger.warning("readiness: cache unreachable: %s", error)
        return False, error.__class__.__name__
    return True, "ok"


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = {"database": check_database(), "cache": check_cache()}
    is_ready = all(ok for ok, _ in checks.values())
    body = {
        "status": "ready" if is_ready else "not ready",
        "checks": {name: detail for name, (_, detail) in checks.items()},
    }
    return JsonResponse(body, status=200 if is_ready else 503)
