from django.contrib.auth import get_user_model
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication

from apps.core.prepared import read_by_key
from apps.users.rls import set_db_user


class _AccountReads:
    """What simplejwt's `get_user` asks of its `user_model`, `objects.get(<USER_ID_FIELD>=...)` and `DoesNotExist`,
    answered by one prepared statement (`read_by_key`): the ORM compiled that read on every authenticated request,
    0.31 ms of CPU against 0.10 (bench/RESULTS.md, tenth round). simplejwt still decides everything else (the
    claim, an inactive account, a token revoked by a password change)."""

    def __init__(self, model) -> None:
        self.model = model
        self.DoesNotExist = model.DoesNotExist
        self.objects = self

    def get(self, **lookup):
        [(field_name, value)] = lookup.items()
        account = read_by_key(self.model, field_name, value)
        if account is None:
            raise self.DoesNotExist
        return account


class RlsJWTAuthentication(JWTAuthentication):
    """Bearer-token authentication that also tells the database who is asking (row-level security)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_model = _AccountReads(get_user_model())

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            set_db_user(result[0])
        return result


class RlsJWTScheme(SimpleJWTScheme):
    """Describes the bearer token in the OpenAPI schema (clients and the API fuzzer authenticate from it)."""

    target_class = RlsJWTAuthentication
