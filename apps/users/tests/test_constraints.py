"""The database itself refuses bad user rows, whatever code writes them."""

from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.tests.factories import rejected_by
from apps.users.models import User
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_email_differing_only_in_case_from_an_existing_one_is_rejected():
    UserFactory(email="Ann.Lee@Example.com")
    with rejected_by("users_email_ci_unique"):
        UserFactory(email="ann.lee@example.com")


def test_an_email_already_taken_is_rejected():
    UserFactory(email="ann@example.com")
    with rejected_by("users_email_key"):
        UserFactory(email="ann@example.com")


def test_changing_an_email_to_another_accounts_in_other_case_is_rejected():
    UserFactory(email="ann@example.com")
    other = UserFactory(email="bob@example.com")
    with rejected_by("users_email_ci_unique"):
        User.objects.filter(pk=other.pk).update(email="ANN@example.com")


@pytest.mark.parametrize("rating", [Decimal("0.99"), Decimal("5.01"), Decimal("0")])
def test_a_rating_average_outside_1_to_5_is_rejected(rating):
    user = UserFactory()
    with rejected_by("users_rating_average_range"):
        User.objects.filter(pk=user.pk).update(rating_average=rating)


@pytest.mark.parametrize("rating", [None, Decimal("1.00"), Decimal("4.50"), Decimal("5.00")])
def test_no_rating_or_a_rating_from_1_to_5_is_accepted(rating):
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(rating_average=rating)


def test_a_negative_rating_count_is_rejected():
    user = UserFactory()
    with rejected_by("users_rating_count_check"):
        User.objects.filter(pk=user.pk).update(rating_count=-1)


def test_a_deleted_user_without_a_deletion_time_is_rejected():
    user = UserFactory()
    with rejected_by("users_deleted_has_timestamp"):
        User.objects.filter(pk=user.pk).update(is_deleted=True)
    User.objects.filter(pk=user.pk).update(is_deleted=True, deleted_at=timezone.now())
