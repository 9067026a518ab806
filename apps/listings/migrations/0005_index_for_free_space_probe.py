"""A listing's active spaces from the index alone, for window search (see ListingSpace.Meta). Built CONCURRENTLY."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("listings", "0004_listings_host_active"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="listingspace",
            index=models.Index(condition=models.Q(is_active=True), fields=["listing", "id"], name="listing_spaces_active"),
        ),
    ]
