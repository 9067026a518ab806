"""Factories for the shared tables: the audit log and stored idempotent answers.

`core` knows no domain app, so the user model is reached by its dotted path (the model itself is
`settings.AUTH_USER_MODEL`, which `core` already refers to) and an audit row's target is any model instance.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import factory
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.core.models import AuditLog, IdempotencyRecord

USER_FACTORY = "apps.users.tests.factories.UserFactory"


@contextmanager
def rejected_by(constraint: str) -> Iterator[None]:
    """Expect the database to refuse what the block writes, naming `constraint` (a CHECK, UNIQUE or EXCLUDE
    constraint, or a unique index). The block runs in a savepoint, so the test can go on using the database."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        yield
    assert f'"{constraint}"' in str(refusal.value), refusal.value


class AuditLogFactory(DjangoModelFactory):
    """An audit row about `target` (by default the acting user's own account)."""

    class Meta:
        model = AuditLog

    class Params:
        # What the row is about; a system action (no user) must name it.
        target = factory.LazyAttribute(lambda o: o.user)
        system = factory.Trait(user=None, user_email="")

    user = factory.SubFactory(USER_FACTORY)
    user_email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")
    action = AuditLog.Action.UPDATE
    description = factory.Faker("sentence", nb_words=6)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target, for_concrete_model=True))
    object_id = factory.LazyAttribute(lambda o: o.target.pk)
    ip_address = "203.0.113.10"
    user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"
    request_path = "/api/v1/example"


class IdempotencyRecordFactory(DjangoModelFactory):
    """A completed first answer to a request sent with an `Idempotency-Key`."""

    class Meta:
        model = IdempotencyRecord

    class Params:
        in_progress = factory.Trait(status_code=None, response_body=None, completed_at=None)

    user = factory.SubFactory(USER_FACTORY)
    key = factory.Sequence(lambda n: f"key-{n:06d}")
    scope = "POST /api/v1/bookings"
    request_fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    status_code = 201
    response_body = factory.LazyAttribute(lambda o: {"key": o.key})
    completed_at = factory.LazyFunction(timezone.now)
