"""Row-level security on `users`, `payment_methods` and `transactions` (the seed's "Data Encryption" section).

The application connects as `settings.DATABASE_APP_ROLE`, which does not own the tables and so is subject to the
policies below; migrations run as the owner, who is not. The policies read two settings that the application
sets per request (see `apps/users/rls.py`): `app.current_user_id` and `app.context` (`system` for background
work and staff).
"""

from django.conf import settings
from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION app_current_user_id() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.current_user_id', true), '')::bigint $$;

CREATE OR REPLACE FUNCTION app_is_system() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('app.context', true), '') = 'system' $$;

-- A transaction is visible to its owner, and to the guest and the host of the booking it belongs to.
CREATE OR REPLACE FUNCTION app_can_see_booking_money(booking bigint, owner bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT app_is_system()
      OR owner = app_current_user_id()
      OR EXISTS (
           SELECT 1 FROM bookings b JOIN listings l ON l.id = b.listing_id
           WHERE b.id = booking AND app_current_user_id() IN (b.guest_id, l.host_id))
$$;
"""

POLICIES = """
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
-- Public profile data (a host's first name on a listing) is read everywhere; column privacy is the API's job.
CREATE POLICY users_read ON users FOR SELECT USING (true);
CREATE POLICY users_sign_up ON users FOR INSERT WITH CHECK (true);
CREATE POLICY users_change_own ON users FOR UPDATE
  USING (app_is_system() OR id = app_current_user_id())
  WITH CHECK (app_is_system() OR id = app_current_user_id());
CREATE POLICY users_delete_system ON users FOR DELETE USING (app_is_system());

ALTER TABLE payment_methods ENABLE ROW LEVEL SECURITY;
CREATE POLICY payment_methods_own ON payment_methods FOR ALL
  USING (app_is_system() OR user_id = app_current_user_id())
  WITH CHECK (app_is_system() OR user_id = app_current_user_id());

ALTER TABLE transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY transactions_parties ON transactions FOR ALL
  USING (app_can_see_booking_money(booking_id, user_id))
  WITH CHECK (app_can_see_booking_money(booking_id, user_id));
"""

REVERSE = """
DROP POLICY IF EXISTS transactions_parties ON transactions;
ALTER TABLE transactions DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS payment_methods_own ON payment_methods;
ALTER TABLE payment_methods DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS users_delete_system ON users;
DROP POLICY IF EXISTS users_change_own ON users;
DROP POLICY IF EXISTS users_sign_up ON users;
DROP POLICY IF EXISTS users_read ON users;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
DROP FUNCTION IF EXISTS app_can_see_booking_money(bigint, bigint);
DROP FUNCTION IF EXISTS app_is_system();
DROP FUNCTION IF EXISTS app_current_user_id();
"""


def grant_application_role(apps, schema_editor):
    """Create the application role when we may (the local cluster; production creates it with a password),
    and give it the data privileges it needs on everything the owner creates, now and later."""
    role = schema_editor.connection.ops.quote_name(settings.DATABASE_APP_ROLE)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [settings.DATABASE_APP_ROLE])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {role} LOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}")
        cursor.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_create_payments_tables"),
        ("bookings", "0001_create_bookings_tables"),
        ("listings", "0001_create_listings_tables"),
        ("users", "0001_create_users_tables"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS + POLICIES, REVERSE),
        migrations.RunPython(grant_application_role, migrations.RunPython.noop),
    ]
