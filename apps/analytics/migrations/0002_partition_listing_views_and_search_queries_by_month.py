"""`listing_views` and `search_queries` partitioned by month of `viewed_at` / `searched_at`, rows kept, so that
retention drops whole months (see `apps/core/partitions.py` and `apps/core/retention.py`)."""

from django.db import migrations

from apps.core.partitions import convert_to_partitioned, convert_to_plain

TABLES = {"listing_views": "viewed_at", "search_queries": "searched_at"}


def partition(apps, schema_editor):
    for table, column in TABLES.items():
        convert_to_partitioned(schema_editor, table=table, column=column)


def unpartition(apps, schema_editor):
    for table in TABLES:
        convert_to_plain(schema_editor, table=table)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_create_analytics_tables"),
        ("core", "0004_partition_audit_logs_by_month"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
