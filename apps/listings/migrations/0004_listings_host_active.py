from django.db import migrations, models

TRIGGERS = """
UPDATE listings l SET host_active = (u.is_active AND NOT u.is_deleted)
  FROM users u
 WHERE u.id = l.host_id AND l.host_active IS DISTINCT FROM (u.is_active AND NOT u.is_deleted);

-- A new listing (or one moved to another host) takes its host's standing.
CREATE FUNCTION listings_take_host_standing() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  SELECT u.is_active AND NOT u.is_deleted INTO NEW.host_active FROM users u WHERE u.id = NEW.host_id;
  RETURN NEW;
END $$;
CREATE TRIGGER listings_host_standing BEFORE INSERT OR UPDATE OF host_id ON listings
  FOR EACH ROW EXECUTE FUNCTION listings_take_host_standing();

-- An account deactivated, deleted or restored, by a service, the admin or SQL, passes its standing to its listings.
CREATE FUNCTION users_pass_standing_to_listings() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  UPDATE listings SET host_active = (NEW.is_active AND NOT NEW.is_deleted)
   WHERE host_id = NEW.id AND host_active IS DISTINCT FROM (NEW.is_active AND NOT NEW.is_deleted);
  RETURN NULL;
END $$;
CREATE TRIGGER users_listings_host_standing AFTER UPDATE OF is_active, is_deleted ON users
  FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.is_deleted IS DISTINCT FROM NEW.is_deleted)
  EXECUTE FUNCTION users_pass_standing_to_listings();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS users_listings_host_standing ON users;
DROP FUNCTION IF EXISTS users_pass_standing_to_listings();
DROP TRIGGER IF EXISTS listings_host_standing ON listings;
DROP FUNCTION IF EXISTS listings_take_host_standing();
"""


class Migration(migrations.Migration):
    """`listings.host_active`: the host's standing copied onto each listing by triggers, so that public listings
    (search above all) are filtered without a join to `users` per row: in the densest 5 km at 1M listings that join
    was more than half of the query's time (bench/RESULTS.md)."""

    dependencies = [("listings", "0003_date_range_rules_may_end_earlier_in_the_day"), ("users", "0001_create_users_tables")]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="host_active",
            field=models.BooleanField(default=True, db_default=True, editable=False),
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
    ]
