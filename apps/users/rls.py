"""Row-level security context: tell PostgreSQL on whose behalf the application is querying.

The application connects as a role that is subject to the row-level security policies on `users`,
`payment_methods` and `transactions` (migrations run as the tables' owner, who is not). Those policies read two
session settings that this module keeps up to date:

- `app.current_user_id`: the signed-in user's id, or empty;
- `app.context`: `user` (a request by someone signed in), `anonymous`, `auth` (a sign-in, verification or reset
  flow acting on one account it has just proven), or `system` (Celery tasks, management commands, staff).

Each web request sets them before the view runs and resets them afterwards (connections are reused);
new connections start in `DATABASE_RLS_DEFAULT_CONTEXT`, `system` outside the web server (gunicorn's configuration
makes it `anonymous` in web processes), or in the context the code on that connection asked for last (a connection
replaced in the middle of a request keeps the request's context).

A context is sent only to an open connection (one opened later starts in it), and a context the session already
holds is not sent again: each connection remembers the value it set outside any
transaction (in autocommit it is in force at once and no rollback can undo it); a value set inside a transaction
is forgotten, since a rollback would restore the one before. So an anonymous request that a cache answers touches
the database not at all (it needs no connection either), instead of two round trips to set and reset the context.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from apps.core.prepared import prepared_cursor

SYSTEM = "system"
USER = "user"
ANONYMOUS = "anonymous"
AUTH = "auth"


SET_CONTEXT = "SELECT set_config('app.context', %s, false), set_config('app.current_user_id', %s, false)"


def _in_autocommit(db) -> bool:
    """Connected and outside any transaction: a setting made now stays until the next change."""
    return db.connection is not None and not db.in_atomic_block and db.autocommit


def set_db_context(*, context: str, user_id: int | None = None) -> None:
    value = (context, str(user_id) if user_id else "")
    connection.rls_wanted = value  # what a new or replacement connection starts in
    if connection.connection is None:
        return  # no session to set: the connection, once made, starts in this context
    if _in_autocommit(connection) and getattr(connection, "rls_known", None) == value:
        return  # the session holds it already
    with prepared_cursor() as cursor:  # sent twice a request: prepared once per connection
        cursor.execute(SET_CONTEXT, list(value))
    connection.rls_known = value if _in_autocommit(connection) else None


def set_db_user(user) -> None:
    """Run the rest of this request's queries as `user` (staff act with system rights)."""
    if user is not None and user.is_authenticated:
        set_db_context(context=SYSTEM if user.is_staff else USER, user_id=user.pk)
    else:
        set_db_context(context=ANONYMOUS)


@contextmanager
def acting_for(user_id: int, *, context: str = AUTH) -> Iterator[None]:
    """Let a flow that has just proven who it acts for (a password check, an emailed token) write that account."""
    previous = _current()
    set_db_context(context=context, user_id=user_id)
    try:
        yield
    finally:
        set_db_context(context=previous[0], user_id=int(previous[1]) if previous[1] else None)


@contextmanager
def as_system() -> Iterator[None]:
    """For a service that must update another account's derived fields (a rating recomputed after a review)."""
    previous = _current()
    set_db_context(context=SYSTEM)
    try:
        yield
    finally:
        set_db_context(context=previous[0], user_id=int(previous[1]) if previous[1] else None)


def _current() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.context', true), current_setting('app.current_user_id', true)")
        context, user_id = cursor.fetchone()
    return context or settings.DATABASE_RLS_DEFAULT_CONTEXT, user_id or ""


@receiver(connection_created)
def _start_in_default_context(sender, connection, **kwargs) -> None:
    """A new connection (made outside any transaction) starts in the context last asked for on this connection
    object, else in the default one."""
    value = getattr(connection, "rls_wanted", None) or (settings.DATABASE_RLS_DEFAULT_CONTEXT, "")
    with connection.cursor() as cursor:
        cursor.execute(SET_CONTEXT, list(value))
    connection.rls_known = value if _in_autocommit(connection) else None


class RowLevelSecurityMiddleware:
    """Sets the database context for session-authenticated requests; API token authentication sets it itself
    (see `apps.users.api.authentication`), because DRF authenticates after middleware has run."""

    def __init__(self, get_response):
        self.get_response = get_response

    # Probes must answer even when the database is down, and never need a user.
    exempt_paths = ("/healthz", "/readyz", "/static/")

    def __call__(self, request):
        if request.path.startswith(self.exempt_paths):
            return self.get_response(request)
        set_db_user(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            set_db_context(context=settings.DATABASE_RLS_DEFAULT_CONTEXT)
