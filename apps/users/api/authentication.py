from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication

from apps.core.prepared import bound_on_server
from apps.users.rls import set_db_user


class RlsJWTAuthentication(JWTAuthentication):
    """Bearer-token authentication that also tells the database who is asking (row-level security)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            set_db_user(result[0])
        return result

    @bound_on_server()  # the account's read by id, the same on every request: prepared once per connection
    def get_user(self, validated_token):
        return super().get_user(validated_token)


class RlsJWTScheme(SimpleJWTScheme):
    """Describes the bearer token in the OpenAPI schema (clients and the API fuzzer authenticate from it)."""

    target_class = RlsJWTAuthentication
