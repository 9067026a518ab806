from django.db import migrations


class Migration(migrations.Migration):
    """Search measures in metres on the spheroid (`location::geography`): radius, route buffer and nearest-first
    order all go through this expression index, next to the planar GiST index on `location` that polygon
    searches use."""

    dependencies = [("listings", "0001_create_listings_tables")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX idx_listings_location_geog ON listings USING GIST ((location::geography));",
            "DROP INDEX IF EXISTS idx_listings_location_geog;",
        )
    ]
