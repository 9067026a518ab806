"""A btree index answering "is this space taken during the window?" for window search (see Booking.Meta). Built
CONCURRENTLY: bookings stay writable while it is built on a large table."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("bookings", "0003_booking_space_belongs_to_its_listing"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="booking",
            index=models.Index(
                condition=models.Q(status__in=["PENDING", "CONFIRMED", "IN_PROGRESS"]),
                fields=["space", "end_datetime"],
                include=("start_datetime",),
                name="bookings_active_space_end",
            ),
        ),
    ]
