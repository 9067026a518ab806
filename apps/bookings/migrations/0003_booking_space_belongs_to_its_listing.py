from django.db import migrations


class Migration(migrations.Migration):
    """A booking's space must be a space of the booking's listing, or the no-overlap constraint (which works per
    space) could be sidestepped by holding another listing's space. A composite foreign key makes the database
    itself refuse such a row."""

    dependencies = [
        ("bookings", "0002_price_breakdown_decimals"),
        ("listings", "0003_date_range_rules_may_end_earlier_in_the_day"),
    ]

    operations = [
        migrations.RunSQL(
            [
                "ALTER TABLE listing_spaces ADD CONSTRAINT listing_spaces_listing_and_id UNIQUE (listing_id, id);",
                "ALTER TABLE bookings ADD CONSTRAINT bookings_space_of_its_listing FOREIGN KEY (listing_id, space_id)"
                " REFERENCES listing_spaces (listing_id, id) DEFERRABLE INITIALLY DEFERRED;",
            ],
            [
                "ALTER TABLE bookings DROP CONSTRAINT IF EXISTS bookings_space_of_its_listing;",
                "ALTER TABLE listing_spaces DROP CONSTRAINT IF EXISTS listing_spaces_listing_and_id;",
            ],
        )
    ]
