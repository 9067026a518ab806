from django.db import migrations, transaction

# The statuses of Booking.ACTIVE_STATUSES, as of this migration (a test holds the trigger to the model's list).
ACTIVE = "'PENDING', 'CONFIRMED', 'IN_PROGRESS'"

FORWARD = """
-- Denormalised onto each listing for window search, kept by the triggers below and never written by the ORM (these
-- are not model fields, so a listing saved from a stale instance cannot overwrite them):
--   booked: a superset of the times from the last write on at which an active booking holds a space of the listing;
--           unbounded when the listing has no active space. A window that does not overlap it has every active
--           space free; one that does is checked space by space, as before.
--   has_calendar_entries: the listing has some availability rule or exception (on any date).
ALTER TABLE listings
  ADD COLUMN booked tstzmultirange NOT NULL DEFAULT '{(,)}',
  ADD COLUMN has_calendar_entries boolean NOT NULL DEFAULT true;  -- false once filled in (see Migration)
-- Room on each page for the new version of a row, so that the update a booking makes stays on the page and
-- touches none of the listing's indexes (a heap-only update): `booked` is in no index.
ALTER TABLE listings SET (fillfactor = 90);

-- Exactly recomputed: the listing's active bookings that end after now, or unbounded without an active space.
CREATE FUNCTION listing_booked_times(listing bigint) RETURNS tstzmultirange
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT CASE WHEN EXISTS (SELECT 1 FROM listing_spaces s WHERE s.listing_id = listing AND s.is_active)
    THEN coalesce((SELECT range_agg(tstzrange(b.start_datetime, b.end_datetime)) FROM bookings b
                    WHERE b.listing_id = listing AND b.status IN ({ACTIVE}) AND b.end_datetime > now()),
                  '{}'::tstzmultirange)
    ELSE '{(,)}'::tstzmultirange END
$$;

CREATE FUNCTION listing_has_calendar_entries(listing bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM availability_rules r WHERE r.listing_id = listing)
      OR EXISTS (SELECT 1 FROM availability_exceptions e WHERE e.listing_id = listing)
$$;

-- Recompute both under the listing's row lock, taken first: the recomputing statement then starts after any
-- booking, space, rule or exception being written for the listing (whose triggers take that lock) has committed,
-- and sees it.
CREATE FUNCTION listing_refresh_search_marks(listing bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  PERFORM 1 FROM listings WHERE id = listing FOR NO KEY UPDATE;
  UPDATE listings
     SET booked = listing_booked_times(listing), has_calendar_entries = listing_has_calendar_entries(listing)
   WHERE id = listing
     AND (booked IS DISTINCT FROM listing_booked_times(listing)
          OR has_calendar_entries IS DISTINCT FROM listing_has_calendar_entries(listing));
END $$;

-- A booking that holds a space adds its period; the periods before now are trimmed on the way. Cancelling or
-- ending a booking removes nothing: the column stays a superset, and a window over a freed period is checked
-- space by space.
CREATE FUNCTION bookings_add_to_listing_booked() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.end_datetime > now() THEN
    UPDATE listings
       SET booked = (booked + tstzmultirange(tstzrange(NEW.start_datetime, NEW.end_datetime)))
                    * tstzmultirange(tstzrange(now(), NULL))
     WHERE id = NEW.listing_id
       AND NOT booked @> tstzrange(greatest(NEW.start_datetime, now()), NEW.end_datetime);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bookings_listing_booked
  AFTER INSERT OR UPDATE OF status, start_datetime, end_datetime, listing_id ON bookings
  FOR EACH ROW WHEN (NEW.status IN ({ACTIVE})) EXECUTE FUNCTION bookings_add_to_listing_booked();

-- A space, a rule or an exception added, removed, changed or moved to another listing: recompute the marks of the
-- listing(s) concerned (no active space left makes `booked` unbounded).
CREATE FUNCTION listing_part_refresh_search_marks() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM listing_refresh_search_marks(NEW.listing_id);
  END IF;
  IF TG_OP = 'DELETE' OR NEW.listing_id IS DISTINCT FROM OLD.listing_id THEN
    PERFORM listing_refresh_search_marks(OLD.listing_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER listing_spaces_listing_booked
  AFTER INSERT OR DELETE OR UPDATE OF is_active, listing_id ON listing_spaces
  FOR EACH ROW EXECUTE FUNCTION listing_part_refresh_search_marks();
CREATE TRIGGER availability_rules_mark_listing AFTER INSERT OR DELETE OR UPDATE OF listing_id ON availability_rules
  FOR EACH ROW EXECUTE FUNCTION listing_part_refresh_search_marks();
CREATE TRIGGER availability_exceptions_mark_listing
  AFTER INSERT OR DELETE OR UPDATE OF listing_id ON availability_exceptions
  FOR EACH ROW EXECUTE FUNCTION listing_part_refresh_search_marks();

""".replace("{ACTIVE}", ACTIVE)

BACKWARD = """
DROP TRIGGER IF EXISTS availability_exceptions_mark_listing ON availability_exceptions;
DROP TRIGGER IF EXISTS availability_rules_mark_listing ON availability_rules;
DROP TRIGGER IF EXISTS listing_spaces_listing_booked ON listing_spaces;
DROP FUNCTION IF EXISTS listing_part_refresh_search_marks();
DROP TRIGGER IF EXISTS bookings_listing_booked ON bookings;
DROP FUNCTION IF EXISTS bookings_add_to_listing_booked();
DROP FUNCTION IF EXISTS listing_refresh_search_marks(bigint);
DROP FUNCTION IF EXISTS listing_has_calendar_entries(bigint);
DROP FUNCTION IF EXISTS listing_booked_times(bigint);
ALTER TABLE listings RESET (fillfactor);
ALTER TABLE listings DROP COLUMN IF EXISTS has_calendar_entries, DROP COLUMN IF EXISTS booked;
"""


BATCH = 2_000


def fill_in(apps, schema_editor) -> None:
    """Both columns for the listings there are, a batch of listings a transaction, each under its row lock: the
    listings stay writable and searchable meanwhile (a search is exact throughout: `booked` starts unbounded and
    `has_calendar_entries` true, which only send it to the probes). New listings then default to no calendar
    entries; those made during the fill are done last."""
    connection = schema_editor.connection
    done, last = 0, 0

    def batches() -> None:
        nonlocal done, last
        while True:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                # The batch's row locks first; the next statement's snapshot, taken once it has them, sees every
                # booking, space, rule and exception of these listings that was being written (whose triggers
                # wait for these locks from now on).
                cursor.execute(
                    "SELECT id FROM listings WHERE id > %s ORDER BY id LIMIT %s FOR NO KEY UPDATE", [last, BATCH]
                )
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    return
                cursor.execute(
                    "UPDATE listings SET booked = listing_booked_times(id),"
                    " has_calendar_entries = listing_has_calendar_entries(id) WHERE id = ANY(%s)",
                    [ids],
                )
            done, last = done + len(ids), ids[-1]
            if done % 100_000 < BATCH:
                print(f"  listings' search marks: {done:,} filled in")  # noqa: T201 (a long migration's progress)

    batches()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE listings ALTER COLUMN has_calendar_entries SET DEFAULT false")
    batches()
    print(f"  listings' search marks: {done:,} listings filled in, done")  # noqa: T201 (its summary)


class Migration(migrations.Migration):
    """`listings.booked` and `listings.has_calendar_entries`, kept by triggers, so that a window search decides most
    candidates from the listing's own row: one with no booking near the window needs no probe of its spaces and
    their bookings (two index probes, about 7 µs each), one without rules or exceptions no probe of those (about
    3 µs). In the densest 1 km at 1M listings that was a third of the candidates statement (bench/RESULTS.md)."""

    dependencies = [
        ("listings", "0005_index_for_free_space_probe"),
        ("bookings", "0004_index_for_free_space_probe"),
    ]

    atomic = False

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
    ]
