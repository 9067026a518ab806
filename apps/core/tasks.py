"""Celery tasks of `core`: the upkeep of the database that celery beat schedules daily. Each is safe to run twice."""

import logging

from celery import shared_task

from apps.core import partitions, retention

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def create_partitions_ahead() -> dict[str, list[str]]:
    """Beat runs this daily: every partitioned table gets its partitions for this month and the next
    `PARTITION_MONTHS_AHEAD` months before rows arrive for them (until then they would land in the default
    partition, which works but which retention cannot drop)."""
    created = partitions.create_partitions_ahead()
    for table, names in created.items():
        if names:
            logger.info("created partitions of %s: %s", table, ", ".join(names))
    return created


@shared_task(ignore_result=True)
def cleanup_old_data() -> dict[str, dict]:
    """Beat runs this daily: `manage.py cleanup_old_data` with the configured periods. A table whose cleanup
    fails (an archive bucket unreachable) does not stop the others; the failure is raised at the end."""
    outcome: dict[str, dict] = {}
    failures: list[Exception] = []
    try:
        with retention.only_one_cleanup():
            for policy in retention.retention_policies():
                try:
                    report = retention.apply_retention(policy)
                except Exception as error:  # reported below, after the other tables
                    logger.exception("cleanup of %s failed", policy.table)
                    failures.append(error)
                    continue
                outcome[policy.table] = {
                    "partitions_dropped": report.partitions_dropped,
                    "rows_deleted": report.rows_deleted,
                    "rows_archived": report.rows_archived,
                }
    except retention.CleanupAlreadyRunning as busy:
        logger.info("%s", busy)
        return outcome
    if failures:
        raise failures[0]
    return outcome
