from django.contrib.postgres.operations import BtreeGistExtension, CryptoExtension, TrigramExtension
from django.db import migrations
from django.contrib.postgres.operations import CreateExtension


class Migration(migrations.Migration):
    """The PostgreSQL extensions the schema needs: PostGIS for locations, btree_gist for the no-overlap
    exclusion constraint on bookings, pg_trgm for fuzzy text matching, pgcrypto for encryption helpers."""

    initial = True
    dependencies: list = []

    operations = [
        CreateExtension("postgis"),
        BtreeGistExtension(),
        TrigramExtension(),
        CryptoExtension(),
    ]
