"""Monthly partitions for the append-only tables, starting with `audit_logs` (see `apps/core/partitions.py`).

Two functions let the application role, which does not own the tables, keep partitions without owning them:
`app_create_month_partition(table, month)` makes the partition of one UTC month (moving in the rows of that month
the default partition caught meanwhile) and gives it the table's grants; `app_drop_partition(table, partition)`
detaches and drops one monthly partition. Both run as their owner (the tables' owner, SECURITY DEFINER), only on
range-partitioned tables of `public` that the owner owns, with a fixed search_path; nobody but the owner and the
application role may call them.

Then `audit_logs` is rebuilt partitioned by `created_at`; its rows are copied over.
"""

from django.conf import settings
from django.db import migrations

from apps.core.partitions import convert_to_partitioned, convert_to_plain

FUNCTIONS = """
-- Called by the two functions below, as their owner: the partition column of one of the owner's tables.
CREATE FUNCTION app_partitioned_table_column(parent text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  key_column text;
BEGIN
  SELECT a.attname INTO key_column
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_partitioned_table p ON p.partrelid = c.oid
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
   WHERE n.nspname = 'public' AND c.relname = parent AND p.partstrat = 'r' AND p.partnatts = 1
     AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user);
  IF key_column IS NULL THEN
    RAISE EXCEPTION 'table "%" is not a range-partitioned table of this schema''s owner', parent
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN key_column;
END $$;

CREATE FUNCTION app_create_month_partition(parent text, month date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp SET TimeZone = 'UTC' SET lock_timeout = '10s' AS $$
DECLARE
  key_column text := app_partitioned_table_column(parent);
  lower_bound timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
  upper_bound timestamptz := (date_trunc('month', month::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
  partition_name text := parent || '_p' || to_char(month, 'YYYYMM');
  default_partition text;
  grant_row record;
BEGIN
  IF to_regclass(format('public.%I', partition_name)) IS NOT NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format('CREATE TABLE public.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
                 partition_name, parent);
  -- Rows of this month that arrived while it had no partition sit in the default partition: move them in,
  -- otherwise attaching the month would fail.
  SELECT c.relname INTO default_partition
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = format('public.%I', parent)::regclass AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';
  IF default_partition IS NOT NULL THEN
    EXECUTE format('WITH moved AS (DELETE FROM public.%I WHERE %I >= $1 AND %I < $2 RETURNING *) '
                   'INSERT INTO public.%I SELECT * FROM moved',
                   default_partition, key_column, key_column, partition_name)
      USING lower_bound, upper_bound;
  END IF;
  EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
                 parent, partition_name, lower_bound, upper_bound);
  -- The partition answers to the same roles as its table (queries through the table need only the table's
  -- grants; retention reads and locks a partition directly).
  FOR grant_row IN
    SELECT CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END AS grantee,
           acl.privilege_type
      FROM pg_class c, aclexplode(c.relacl) acl
     WHERE c.oid = format('public.%I', parent)::regclass AND acl.grantee <> c.relowner
  LOOP
    EXECUTE format('GRANT %s ON public.%I TO %s', grant_row.privilege_type, partition_name, grant_row.grantee);
  END LOOP;
  RETURN partition_name;
END $$;

CREATE FUNCTION app_drop_partition(parent text, partition_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET lock_timeout = '10s' AS $$
BEGIN
  PERFORM app_partitioned_table_column(parent);
  IF NOT EXISTS (
    SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = format('public.%I', parent)::regclass AND c.relname = partition_name
       AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
  ) THEN
    RAISE EXCEPTION '"%" is not a monthly partition of "%"', partition_name, parent
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('ALTER TABLE public.%I DETACH PARTITION public.%I', parent, partition_name);
  EXECUTE format('DROP TABLE public.%I', partition_name);
END $$;

REVOKE ALL ON FUNCTION app_partitioned_table_column(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION app_create_month_partition(text, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION app_drop_partition(text, text) FROM PUBLIC;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS app_drop_partition(text, text);
DROP FUNCTION IF EXISTS app_create_month_partition(text, date);
DROP FUNCTION IF EXISTS app_partitioned_table_column(text);
"""


def grant_functions_to_the_application_role(apps, schema_editor):
    role = schema_editor.quote_name(settings.DATABASE_APP_ROLE)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"GRANT EXECUTE ON FUNCTION app_create_month_partition(text, date), app_drop_partition(text, text) TO {role}"
        )


def partition_audit_logs(apps, schema_editor):
    convert_to_partitioned(schema_editor, table="audit_logs", column="created_at")


def unpartition_audit_logs(apps, schema_editor):
    convert_to_plain(schema_editor, table="audit_logs")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_idempotency_keys"),
        # The application role, and the grants it has on the tables, are made there.
        ("payments", "0002_row_level_security"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunPython(grant_functions_to_the_application_role, migrations.RunPython.noop),
        migrations.RunPython(partition_audit_logs, unpartition_audit_logs),
    ]
