"""`field__any=[...]`: membership in a list sent as one array parameter, `field = ANY(%s)`.

Django's `__in` writes one placeholder per value: for a few hundred ids (the schedules of a window search's
candidates) preparing each value, splitting the statement at every placeholder and sending the long text cost more
than the database spent answering (about 6 ms of 22 for 231 listings' schedules). `= ANY(array)` means the same for a
list without NULLs, and PostgreSQL uses the same btree index for it."""

from typing import Any

from django.db.models import Lookup
from django.db.models.fields.related import ForeignObject


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [getattr(value, "pk", value) for value in self.rhs]
        return f"{lhs} = ANY(%s)", [*lhs_params, values]


def register() -> None:
    """On foreign keys (`listing_id__any=ids`): the one place lists of hundreds of ids are asked about."""
    ForeignObject.register_lookup(AnyOf)
