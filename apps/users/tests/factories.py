"""Factories for people: seekers, hosts and staff."""

from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from apps.users.models import User

PASSWORD = "pass12345!"


@lru_cache(maxsize=16)
def hashed_password(raw: str) -> str:
    # A real hash (the sign-in code checks it), computed once per password: hashing is slow on purpose, and a
    # test creating many users would otherwise spend most of its time in PBKDF2.
    return make_password(raw)


class UserFactory(DjangoModelFactory):
    """A seeker with a verified email address who can sign in with `PASSWORD` (or the `password` given)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        host = factory.Trait(user_type=User.UserType.HOST)
        both = factory.Trait(user_type=User.UserType.BOTH)
        unverified = factory.Trait(is_email_verified=False)
        staff = factory.Trait(is_staff=True)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.Transformer(PASSWORD, transform=hashed_password)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    user_type = User.UserType.SEEKER
    is_email_verified = True


class HostFactory(UserFactory):
    """A host allowed to publish listings (a host account with a verified email address)."""

    email = factory.Sequence(lambda n: f"host{n}@example.com")
    user_type = User.UserType.HOST
    is_email_verified = True


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    is_staff = True
