"""Delivering a notification over its channels (email, SMS, push), safely repeatable.

A delivery may run twice (a retry, a task queued again after a lost one, a worker that died after sending and was
given the task again), so it never sends a channel twice:
- each channel is attempted inside its own transaction holding the notification's row lock (`SELECT ... FOR
  UPDATE`), and only when its status says it is not sent yet; its success is committed right after the provider
  takes the message. A second run waits for the lock and then finds the channel sent.
- every message carries a key derived from the notification (`Message-ID: <notification-{id}@domain>`,
  `notification-{id}-sms`, `notification-{id}-push-{subscription}`), and the local outbox gateways write one file
  per key, so even a crash between sending and committing leaves one file.

A channel the provider refuses is marked failed and the delivery is retried with exponential backoff; the retry
re-attempts only the channels not yet sent. After `MAX_ATTEMPTS` the notification is FAILED (and kept, for staff
to resend from the admin). A channel with nowhere to go (no phone number, no push subscription) is skipped.
"""

import logging
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import connections, router, transaction
from django.utils import timezone

from apps.core.prepared import from_row, model_columns, prepared_cursor, update_row
from apps.core.push import PushDeliveryError, PushSubscriptionGone, PushSubscriptionInfo, send_push
from apps.core.sms import SmsDeliveryError, send_sms
from apps.notifications.models import Notification
from apps.notifications.rendering import email_html

logger = logging.getLogger(__name__)

CHANNELS = ("email", "sms", "push")
MAX_ATTEMPTS = 6  # the first attempt and five retries, about 12 minutes in all
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 300
Status = Notification.Status
ChannelStatus = Notification.ChannelStatus
NOT_SENT_YET = (ChannelStatus.PENDING, ChannelStatus.FAILED)


class ChannelFailed(Exception):
    """The provider did not take the message this time; the delivery retries the channel."""


class ChannelSkipped(Exception):
    """There is nowhere to send this channel's message; nothing to retry."""


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_in_seconds: int | None = None  # when to try again; None when the delivery is finished


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt: 30, 60, 120, 240, then 300 at most."""
    return min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


def message_id(notification: Notification) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "parkinginapinch.example"
    return f"<notification-{notification.pk}@{domain}>"


# --- Channels -----------------------------------------------------------------------------------------------------


def _send_email(notification: Notification) -> dict[str, Any]:
    recipient = notification.recipient
    if recipient.is_deleted or not recipient.email:
        raise ChannelSkipped("no email address")
    body = notification.email_body or notification.message
    email = EmailMultiAlternatives(
        subject=notification.title,
        body=body,
        to=[recipient.email],
        headers={"Message-ID": message_id(notification)},
    )
    email.attach_alternative(
        email_html(title=notification.title, body=body, url=notification.data.get("url", "")), "text/html"
    )
    try:
        email.send()
    except Exception as error:
        # Email backends raise what their transport raises (smtplib, sockets, anymail's ESP errors): every one
        # is this attempt failing, to retry, never a crash of the delivery.
        raise ChannelFailed(f"{type(error).__name__}: {error}") from error
    return {"message_id": message_id(notification)}


def _send_sms(notification: Notification) -> dict[str, Any]:
    recipient = notification.recipient
    if not (recipient.phone_number and recipient.is_phone_verified) or recipient.is_deleted:
        raise ChannelSkipped("no verified phone number")
    try:
        receipt = send_sms(
            to=recipient.phone_number,
            body=notification.sms_body or notification.message,
            idempotency_key=f"notification-{notification.pk}-sms",
        )
    except SmsDeliveryError as error:
        raise ChannelFailed(str(error)) from error
    return {"provider": receipt.provider, "message_id": receipt.message_id}


def _send_push(notification: Notification) -> dict[str, Any]:
    """One message per subscription of the recipient; each subscription reached is recorded at once, so a retry
    only tries the others. A subscription the push service no longer knows is deleted."""
    done: dict[str, Any] = dict(notification.receipts.get("push", {}))
    payload = {
        "title": notification.title,
        "body": notification.message,
        "url": notification.data.get("url", ""),
        "tag": f"notification-{notification.pk}",
        "notification_id": notification.pk,
        "notification_type": notification.notification_type,
    }
    failure: PushDeliveryError | None = None
    for subscription in notification.recipient.push_subscriptions.all():
        key = str(subscription.pk)
        if key in done:
            continue
        try:
            receipt = send_push(
                subscription=PushSubscriptionInfo(
                    endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth
                ),
                payload=payload,
                idempotency_key=f"notification-{notification.pk}-push-{subscription.pk}",
            )
        except PushSubscriptionGone:
            logger.info("Push subscription %s is gone; forgetting it", subscription.pk)
            subscription.delete()
            continue
        except PushDeliveryError as error:
            failure = error
            continue
        done[key] = {"provider": receipt.provider, "message_id": receipt.message_id}
    notification.receipts = {**notification.receipts, "push": done}
    if failure is not None:
        raise ChannelFailed(str(failure)) from failure
    if not done:
        raise ChannelSkipped("no push subscription")
    return done


SENDERS = {"email": _send_email, "sms": _send_sms, "push": _send_push}


# --- The delivery -------------------------------------------------------------------------------------------------


# What the senders read of the recipient; the rest of that wide row (a geometry among it) is left unread.
RECIPIENT_FIELDS = ("id", "email", "phone_number", "is_phone_verified", "is_deleted")


@cache
def _locked_statement(with_recipient: bool, db: str) -> str:
    """The SQL of `_locked`: the notification's columns (then the recipient's `RECIPIENT_FIELDS`) by name, not n.*:
    a prepared statement whose result gained a column, added by a migration while it lived, would fail ("cached plan
    must not change result type")."""
    table, users = Notification._meta.db_table, get_user_model()._meta
    columns, _, _ = model_columns(Notification, db, alias="n")
    if not with_recipient:
        return f'SELECT {columns} FROM "{table}" n WHERE n."id" = %s FOR UPDATE OF n'  # noqa: S608
    recipient, _, _ = model_columns(get_user_model(), db, alias="u", names=RECIPIENT_FIELDS)
    return (
        f'SELECT {columns}, {recipient} FROM "{table}" n JOIN "{users.db_table}" u'  # noqa: S608
        ' ON u."id" = n."recipient_id" WHERE n."id" = %s FOR UPDATE OF n'
    )


def _locked(notification_id: int, *, with_recipient: bool = False) -> Notification | None:
    """The notification, locked; with the part of its recipient's account row that the senders read where a
    channel is sent: counting the attempt and closing the delivery need none of it, and that wide row was a good
    part of a delivery's cost.

    Written in SQL and prepared once per connection, the instances built as the ORM builds them (`from_row`: each
    column converted as its field says, the JSON ones included): the ORM's compiling of this read (a join, a lock,
    deferred columns) took 0.9 ms of CPU a notification, a raw queryset 0.3 ms, and its machinery was still a tenth
    of the worker's time on a booking's notifications (bench/RESULTS.md, eleventh round)."""
    db = router.db_for_write(Notification)
    with prepared_cursor(db) as cursor:
        cursor.execute(_locked_statement(with_recipient, db), [notification_id])
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(Notification._meta.concrete_fields)
    notification = from_row(Notification, row[:width], db)
    if with_recipient:
        recipient = from_row(get_user_model(), row[width:], db, names=RECIPIENT_FIELDS)
        Notification.recipient.field.set_cached_value(notification, recipient)
    return notification


def _start(notification_id: int) -> list[str]:
    """Count the attempt and name the channels still to send; none when there is nothing to deliver (the
    notification is gone, or an earlier run finished it). One UPDATE ... RETURNING, where reading the row locked and
    then saving it took two statements more and an ORM query compiled each time (a third of the worker's time on a
    booking's notifications went to reading notifications, bench/RESULTS.md)."""
    table = Notification._meta.db_table
    statuses = ", ".join(f'"{channel}_status"' for channel in CHANNELS)
    db = router.db_for_write(Notification)
    # In a transaction all the same: a worker killed while this waits on the row lock leaves a backend that runs the
    # UPDATE once the lock is free; in autocommit that would count an attempt nobody made, here it is never committed.
    with transaction.atomic(using=db), connections[db].cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "attempts" = "attempts" + 1, "last_attempt_at" = %s'  # noqa: S608
            f' WHERE "id" = %s AND "status" = %s RETURNING {statuses}',
            [timezone.now(), notification_id, Status.PENDING],
        )
        row = cursor.fetchone()
    if row is None:
        return []
    return [channel for channel, status in zip(CHANNELS, row, strict=True) if status in NOT_SENT_YET]


def _deliver_channel(notification_id: int, channel: str, *, last: bool) -> Outcome | None:
    """Send one channel if it is not sent yet, in a transaction holding the notification's lock. The last channel's
    transaction also closes the delivery (`_close`) and returns its outcome, which spares a third transaction a
    notification; an earlier channel returns an outcome only when the delivery is over (the notification gone, or
    finished by another run)."""
    with transaction.atomic():
        notification = _locked(notification_id, with_recipient=True)
        if notification is None:
            return Outcome(status="gone")
        if notification.status != Status.PENDING:
            return Outcome(status=notification.status)
        field = f"{channel}_status"
        changed: list[str] = []
        if getattr(notification, field) in NOT_SENT_YET:
            try:
                receipt = SENDERS[channel](notification)
            except ChannelSkipped as reason:
                setattr(notification, field, ChannelStatus.SKIPPED)
                notification.receipts = {**notification.receipts, channel: {"skipped": str(reason)}}
            except ChannelFailed as error:
                setattr(notification, field, ChannelStatus.FAILED)
                notification.last_error = f"{channel} (attempt {notification.attempts}): {error}"[:2000]
                logger.warning("Notification %s: %s", notification_id, notification.last_error)
            else:
                setattr(notification, field, ChannelStatus.SENT)
                notification.receipts = {**notification.receipts, channel: receipt}
            changed = [field, "receipts", "last_error"]
        outcome = None
        if last:
            outcome, closed = _close(notification)
            changed += closed
        if changed:
            update_row(notification, changed, router.db_for_write(Notification))
        return outcome


def _close(notification: Notification) -> tuple[Outcome, list[str]]:
    """Decide a pending, locked notification's outcome once its channels were tried: sent when none is left to
    send, else a retry after the backoff, or FAILED after `MAX_ATTEMPTS`. Returns the outcome and the fields it
    changed (to save)."""
    statuses = [getattr(notification, f"{channel}_status") for channel in CHANNELS]
    if any(status in NOT_SENT_YET for status in statuses):
        if notification.attempts < MAX_ATTEMPTS:
            return Outcome(status=notification.status, retry_in_seconds=retry_delay(notification.attempts)), []
        notification.status = Status.FAILED
        logger.error("Notification %s failed after %d attempts", notification.pk, notification.attempts)
        return Outcome(status=notification.status), ["status"]
    notification.status = Status.READ if notification.read_at else Status.SENT
    notification.sent_at = timezone.now()
    return Outcome(status=notification.status), ["status", "sent_at"]


def _finish(notification_id: int) -> Outcome:
    """Close a delivery that had no channel left to send."""
    with transaction.atomic():
        notification = _locked(notification_id)
        if notification is None:
            return Outcome(status="gone")
        if notification.status != Status.PENDING:
            return Outcome(status=notification.status)
        outcome, changed = _close(notification)
        if changed:
            update_row(notification, changed, router.db_for_write(Notification))
        return outcome


def deliver(*, notification_id: int) -> Outcome:
    """One delivery attempt: send every channel not sent yet, then say whether and when to try again."""
    channels = _start(notification_id)
    if not channels:
        return _finish(notification_id)
    for channel in channels[:-1]:
        outcome = _deliver_channel(notification_id, channel, last=False)
        if outcome is not None:
            return outcome
    return _deliver_channel(notification_id, channels[-1], last=True)
