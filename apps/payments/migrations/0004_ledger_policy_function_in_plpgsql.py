"""The ledger's row-level security function in PL/pgSQL, which keeps its query plan for the session.

As a SQL function it is not inlined into the policy, and a SQL function that is not inlined is planned again on
every statement that calls it: each ledger insert (the WITH CHECK of `transactions_parties`) spent ~0.65 ms of
PostgreSQL CPU planning `app_can_see_booking_money` for one row (0.72 ms an insert against 0.07 as the owner, who
bypasses the policy). PL/pgSQL caches the plan of its EXISTS query for the life of the connection, so the insert
costs 0.07 ms under the policy too; reading many rows costs about the same either way (~15 us a row). Who may see
and write what does not change: the owner of the entry, the guest and the host of its booking, and the system.
"""

from django.db import migrations

PLPGSQL = """
CREATE OR REPLACE FUNCTION app_can_see_booking_money(booking bigint, owner bigint) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF app_is_system() OR owner = app_current_user_id() THEN
    RETURN true;
  END IF;
  RETURN EXISTS (
           SELECT 1 FROM bookings b JOIN listings l ON l.id = b.listing_id
           WHERE b.id = booking AND app_current_user_id() IN (b.guest_id, l.host_id));
END
$$;
"""

SQL = """
CREATE OR REPLACE FUNCTION app_can_see_booking_money(booking bigint, owner bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT app_is_system()
      OR owner = app_current_user_id()
      OR EXISTS (
           SELECT 1 FROM bookings b JOIN listings l ON l.id = b.listing_id
           WHERE b.id = booking AND app_current_user_id() IN (b.guest_id, l.host_id))
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_ledger_entries_without_booking_and_once_per_operation")]

    operations = [migrations.RunSQL(PLPGSQL, SQL)]
