"""`apps.core.prepared.read_by_key` and `insert_row`: a row read by a unique field, or written, through one prepared
statement, built or prepared as the ORM does it; the bearer token's account read and the audit log that use them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.core.models import AuditLog
from apps.core.prepared import insert_row, read_by_key

pytestmark = pytest.mark.django_db
User = get_user_model()


def _account(**fields):
    return User.objects.create_user(email=fields.pop("email", "reader@example.com"), password="pw-12345678", **fields)


def test_a_row_is_built_as_the_orm_builds_it_converters_included():
    account = _account(first_name="Ada", phone_number="+15125550100", default_location=Point(-97.74, 30.27, srid=4326))
    by_hand, by_orm = read_by_key(User, "id", account.pk), User.objects.get(pk=account.pk)

    for field in User._meta.concrete_fields:
        mine, theirs = getattr(by_hand, field.attname), getattr(by_orm, field.attname)
        assert mine == theirs and type(mine) is type(theirs), field.attname
    assert by_hand.default_location.srid == 4326  # the geometry converter ran
    assert by_hand._state.adding is False and by_hand._state.db == "default"
    assert by_hand.check_password("pw-12345678")


@pytest.mark.parametrize("value", ["0", 10**6, "not a number", None, 2**70, "9" * 30])
def test_a_value_that_names_no_row_finds_none_without_an_error(value):
    _account()
    assert read_by_key(User, "id", value) is None


def test_a_number_given_as_text_is_read_as_the_orm_would():
    account = _account()
    assert read_by_key(User, "id", str(account.pk)).pk == account.pk
    assert read_by_key(User, "email", "reader@example.com").pk == account.pk


def _bearer(account) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(account)}")
    return client


def test_a_token_authenticates_its_account_with_one_prepared_read():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = _account()
    with CaptureQueriesContext(connection) as queries:
        response = _bearer(account).get("/api/v1/me")
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "reader@example.com"
    reads = [query["sql"] for query in queries.captured_queries if query["sql"].startswith('SELECT "id", "password"')]
    assert len(reads) == 1 and reads[0].endswith("LIMIT 1")


def test_a_token_of_an_inactive_or_deleted_account_is_refused():
    # simplejwt still decides: the account read by hand only answers its question.
    inactive, deleted = _account(email="off@example.com"), _account(email="gone@example.com")
    inactive_client, deleted_client = _bearer(inactive), _bearer(deleted)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    deleted.delete()

    assert inactive_client.get("/api/v1/me").status_code == 401
    assert deleted_client.get("/api/v1/me").status_code == 401


def test_an_inserted_row_reads_back_as_it_was_given():
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    account = _account()
    row = AuditLog(
        user=account,
        user_email=account.email,
        action=AuditLog.Action.BOOKING_CREATE,
        description="Booked “Garage” (CONFIRMED)",
        content_type=ContentType.objects.get_for_model(account),
        object_id=account.pk,
        ip_address="203.0.113.9",
        new_values={"status": "CONFIRMED", "total_amount": "11.00", "nested": [1, {"a": None}]},
    )
    assert insert_row(row) is row and row.pk and row._state.adding is False and row._state.db == "default"
    stored = AuditLog.objects.get(pk=row.pk)
    for field in AuditLog._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(row, field.attname), field.attname
    assert stored.old_values == {} and stored.created_at <= timezone.now()


def test_a_model_with_a_database_default_is_refused():
    from apps.listings.models import Listing  # host_active has a database default (bulk COPY loads)

    with pytest.raises(TypeError, match="database default"):
        insert_row(Listing(title="x"))


def test_the_audit_log_writes_one_prepared_insert():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.core.services import log_action

    account = _account()
    with CaptureQueriesContext(connection) as queries:
        logged = log_action(actor=account, action=AuditLog.Action.LOGIN, target=account, description="Signed in")
    inserts = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and inserts[0].startswith('INSERT INTO "audit_logs" ("user_id"')
    assert inserts[0].endswith('RETURNING "id"')  # the ORM's returns "audit_logs"."id"
    assert AuditLog.objects.get(pk=logged.pk).description == "Signed in"


def _notification(account, **fields):
    from apps.notifications.models import Notification

    values = {"notification_type": "booking_confirmed", "title": "Booked", "message": "Your booking is confirmed"}
    return Notification.objects.create(recipient=account, **(values | fields))


def test_an_updated_row_changes_only_the_fields_named_as_save_would():
    from django.db import connection

    from apps.core.prepared import update_row
    from apps.notifications.models import Notification

    account = _account()
    notification = _notification(account)
    with connection.cursor() as cursor:  # another writer changed a column we do not name
        cursor.execute("UPDATE notifications SET title = 'Changed elsewhere' WHERE id = %s", [notification.pk])
    notification.status = Notification.Status.SENT
    notification.receipts = {"email": {"message_id": "<m1@pinch>"}, "n": [1, None]}
    notification.title = "Not written"

    update_row(notification, ["status", "receipts"])

    stored = Notification.objects.get(pk=notification.pk)
    assert stored.status == Notification.Status.SENT
    assert stored.receipts == {"email": {"message_id": "<m1@pinch>"}, "n": [1, None]}
    assert stored.title == "Changed elsewhere"


def test_an_update_of_a_row_that_is_gone_fails_as_save_does():
    from django.db import DatabaseError

    from apps.core.prepared import update_row

    notification = _notification(_account())
    notification.delete()
    notification.pk = 10**9
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        update_row(notification, ["status"])
    with pytest.raises(TypeError, match="primary key"):
        update_row(notification, ["id"])


def test_a_joined_row_builds_both_instances_as_the_orm_builds_them():
    from django.db import connection

    from apps.core.prepared import from_row, model_columns, prepared_cursor

    account = _account(phone_number="+15125550100", default_location=Point(-97.74, 30.27, srid=4326))
    names = ("id", "email", "phone_number", "default_location")
    users, _, _ = model_columns(User, alias="u", names=names)
    accounts, _, _ = model_columns(User, alias="a")
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT {accounts}, {users} FROM users a JOIN users u ON u.id = a.id WHERE a.id = %s", [account.pk]
        )
        row = cursor.fetchone()
    width = len(User._meta.concrete_fields)
    whole, part = from_row(User, row[:width]), from_row(User, row[width:], names=names)

    by_orm = User.objects.get(pk=account.pk)
    for field in User._meta.concrete_fields:
        assert getattr(whole, field.attname) == getattr(by_orm, field.attname), field.attname
    assert part.default_location.srid == 4326 and str(part.phone_number) == "+15125550100"
    assert part.get_deferred_fields() >= {"first_name", "password"} and part._state.db == connection.alias
