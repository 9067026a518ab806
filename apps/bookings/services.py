"""The booking state machine: every write to a booking, each one transaction, one audit row, and a notification
queued after commit.

    PENDING ──approve──▶ CONFIRMED ──check_in──▶ IN_PROGRESS ──check_out──▶ COMPLETED
       │                    │  └──mark_no_show──▶ NO_SHOW
       └─decline/expire/cancel──▶ CANCELLED ◀──cancel──┘

No double booking: bookings of one listing are created one at a time (the listing row is locked), each holds a
concrete free space, and the database's exclusion constraint refuses two active bookings of a space that
overlap — the last word whatever the code above it does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.bookings import availability, pricing, selectors
from apps.bookings.errors import IllegalTransition, WindowInPast, WindowUnavailable
from apps.bookings.models import Booking
from apps.bookings.payments_port import payments
from apps.bookings.signals import booking_status_changed
from apps.bookings.vehicles import clean_vehicle
from apps.core.errors import InvalidInput, NotFound, PaymentRequired, PermissionDenied
from apps.core.images import clean_image
from apps.core.models import AuditLog
from apps.core.prepared import BIGINT, bound_on_server, prepared_cursor
from apps.core.services import log_action
from apps.listings.models import Listing

CHECK_IN_EARLY = timedelta(minutes=15)
NO_SHOW_GRACE = timedelta(minutes=30)
PENDING_LIFETIME = timedelta(hours=24)
PAST_TOLERANCE = timedelta(minutes=5)
# Refusals of the availability module that are about the request itself (400), not about the calendar (409).
INPUT_REFUSALS = {"invalid_window", "too_short", "too_long"}
Status = Booking.Status
# What making a booking and answering with it read of the listing (its schedule, its prices, the answer's title,
# address and access): the row also holds a description, a search vector and a location that a booking never reads.
# A field missing here costs a query of its own when read (a test counts the listings statements of a booking).
LISTING_FIELDS_READ = (
    "host",
    "title",
    "address",
    "city",
    "state",
    "zip_code",
    "time_zone",
    "currency",
    "price_per_hour",
    "price_per_day",
    "price_per_week",
    "price_per_month",
    "spaces_available",
    "instant_booking",
    "minimum_hours",
    "maximum_days",
    "cancellation_policy",
    "available_start_time",
    "available_end_time",
    "available_days",
    "gate_code",
    "access_instructions",
)


def _listing_fields() -> list:
    """The listing's fields a booking reads (and its id), in the order `Model.from_db` takes them."""
    wanted = {"id", *(Listing._meta.get_field(name).attname for name in LISTING_FIELDS_READ)}
    return [field for field in Listing._meta.concrete_fields if field.attname in wanted]


_LISTING_FIELDS = _listing_fields()
# The listing row only is locked: the join to its host must not lock (or, under row-level security, hide) the host's
# account row. The statement is the ORM's for `selectors.with_calendar_flag(Listing.objects.select_for_update(
# of=("self",))).select_related("host").only(*LISTING_FIELDS_READ, "host__first_name").filter(pk=..., is_active=True,
# is_deleted=False, host_active=True)[:1]`, written out (a test holds the two to the same answers): compiling that
# queryset cost 0.55 ms of CPU a booking, this statement and building the instances 0.1 ms.
_LOCK_LISTING_SQL = (
    "SELECT "  # noqa: S608  (column names from the model, no value)
    + ", ".join(f'l."{field.column}"' for field in _LISTING_FIELDS)
    + ', l."has_calendar_entries", u."first_name" FROM "listings" l INNER JOIN "users" u ON u."id" = l."host_id"'
    ' WHERE l."id" = %s AND l."is_active" AND NOT l."is_deleted" AND l."host_active" LIMIT 1 FOR UPDATE OF l'
)


def _lock_listing(listing_id: int) -> Listing | None:
    """The active listing `listing_id`, locked until the transaction ends, with the fields a booking reads
    (`LISTING_FIELDS_READ`; any other is read when first used), its `has_calendar_entries` and its host's first
    name; None if there is no such listing."""
    if listing_id not in BIGINT:
        return None
    with prepared_cursor() as cursor:
        cursor.execute(_LOCK_LISTING_SQL, [listing_id])
        row = cursor.fetchone()
    if row is None:
        return None
    count = len(_LISTING_FIELDS)
    listing = Listing.from_db(connection.alias, [field.attname for field in _LISTING_FIELDS], row[:count])
    listing.has_calendar_entries = row[count]
    listing.host = get_user_model().from_db(connection.alias, ["id", "first_name"], [listing.host_id, row[count + 1]])
    return listing


_MADE_WITH_KEY_SQL = 'SELECT "id" FROM "bookings" WHERE "guest_id" = %s AND "idempotency_key" = %s LIMIT 1'


def _announce(booking: Booking, old_status: str | None, actor: Any) -> None:
    transaction.on_commit(
        lambda: booking_status_changed.send(sender=Booking, booking=booking, old_status=old_status, actor=actor)
    )


def _transition(
    booking: Booking,
    *,
    actor: Any,
    to: str,
    action: str,
    description: str,
    fields: list[str],
    extra: dict | None = None,
) -> Booking:
    old_status = booking.status
    booking.status = to
    booking.save(update_fields=[*fields, "status", "updated_at"])
    log_action(
        actor=actor,
        action=action,
        target=booking,
        description=description,
        old_values={"status": old_status},
        new_values={"status": to, **(extra or {})},
    )
    _announce(booking, old_status, actor)
    return booking


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update(of=("self",)).select_related("listing").get(pk=booking.pk)


def _require(booking: Booking, *allowed: str, doing: str) -> None:
    if booking.status not in allowed:
        raise IllegalTransition(f"A {booking.status.lower().replace('_', ' ')} booking cannot be {doing}.")


def _require_host(booking: Booking, actor: Any) -> None:
    if booking.listing.host_id != actor.pk:
        raise PermissionDenied("Only the host of the listing can do this.")


def _require_guest(booking: Booking, actor: Any) -> None:
    if booking.guest_id != actor.pk:
        raise PermissionDenied("Only the guest of the booking can do this.")


# --- Booking --------------------------------------------------------------------------------------------------------


def _check_window(listing: Listing, start: datetime, end: datetime) -> availability.Schedule:
    if start < timezone.now() - PAST_TOLERANCE:
        raise WindowInPast("The booking must start in the future.", attr="start_datetime")
    schedule = selectors.schedule_for(listing, start, end)
    try:
        availability.check_window(schedule, start, end)
    except availability.Unavailable as refusal:
        if refusal.code in INPUT_REFUSALS:
            raise InvalidInput(refusal.detail, code=refusal.code, attr="end_datetime") from refusal
        raise WindowUnavailable(refusal.detail, code=refusal.code) from refusal
    return schedule


# Its statements are the same on every booking and plan the same whatever their values: prepared once per connection.
@bound_on_server()
def create_booking(
    *,
    guest: Any,
    listing_id: int,
    start_datetime: datetime,
    end_datetime: datetime,
    vehicle: dict,
    payment_method: str,
    guest_notes: str = "",
    idempotency_key: str | None = None,
) -> Booking:
    """Book a concrete free space of the listing for the window and hold the payment.

    Instant-book listings are CONFIRMED and charged at once; the others wait PENDING for the host, with the
    amount authorised. A declined card leaves no booking and no held space, only a failed ledger entry.
    Replaying an `idempotency_key` returns the booking it made.
    """
    if not guest.is_email_verified:
        raise PermissionDenied("Verify your email address before booking.", code="email_not_verified")
    if idempotency_key:
        # Only the id, by hand: a replay is rare, and the ORM's read of the wide row cost 0.4 ms of CPU on every first
        # request, of the id 0.17 ms (with first()'s ORDER BY), this statement 0.07 ms.
        with prepared_cursor() as cursor:
            cursor.execute(_MADE_WITH_KEY_SQL, [guest.pk, idempotency_key])
            made = cursor.fetchone()
        if made:
            return Booking.objects.get(pk=made[0])
    # In UTC from here on: subtracting two times of one zone would give wall-clock hours, wrong across DST.
    start_datetime, end_datetime = start_datetime.astimezone(UTC), end_datetime.astimezone(UTC)
    if end_datetime <= start_datetime:
        raise InvalidInput("The end must be after the start.", code="invalid_window", attr="end_datetime")
    car = clean_vehicle(vehicle)
    try:
        with transaction.atomic():
            # One booking at a time per listing: the space chosen below stays free until this transaction ends.
            listing = _lock_listing(listing_id)
            if listing is None:
                raise NotFound("No such listing.", attr="listing")
            if listing.host_id == guest.pk:
                raise InvalidInput("You cannot book your own listing.", code="own_listing", attr="listing")
            schedule = _check_window(listing, start_datetime, end_datetime)
            quote = selectors.quote_for_schedule(listing, schedule, start_datetime, end_datetime)
            space_id = availability.free_spaces(schedule, start_datetime, end_datetime)[0]
            booking = Booking(
                guest=guest,
                listing=listing,
                space_id=space_id,
                idempotency_key=idempotency_key or None,
                start_datetime=start_datetime,
                end_datetime=end_datetime,
                duration_hours=quote.duration_hours,
                vehicle_make=car.make,
                vehicle_model=car.model,
                vehicle_color=car.color,
                vehicle_license_plate=car.license_plate,
                vehicle_state=car.state,
                currency=quote.currency,
                price_per_hour=listing.price_per_hour,
                price_per_day=listing.price_per_day,
                subtotal=quote.subtotal,
                service_fee=quote.service_fee,
                host_fee=quote.host_fee,
                host_payout=quote.host_payout,
                total_amount=quote.total_amount,
                price_breakdown=[line.as_dict() for line in quote.breakdown],
                cancellation_policy=listing.cancellation_policy,
                guest_notes=guest_notes[:2000],
                # Confirmed from the start when it is paid at once; a declined card leaves nothing to roll back.
                status=Status.CONFIRMED if listing.instant_booking else Status.PENDING,
            )
            # Paid before the INSERT, which then carries the payment's fields (no UPDATE after it).
            payment_key = f"booking:{guest.pk}:{idempotency_key or booking.booking_code}"
            pay = payments().charge if listing.instant_booking else payments().authorize
            pay(booking=booking, payment_method=payment_method, idempotency_key=payment_key)
            try:
                booking.save(force_insert=True)
            except IntegrityError as error:
                # Only reachable if something booked this space without going through this function.
                raise WindowUnavailable("That space was just taken. Try again.", code="fully_booked") from error
            payments().record_payment(booking=booking, idempotency_key=payment_key)
            log_action(
                actor=guest,
                action=AuditLog.Action.BOOKING_CREATE,
                target=booking,
                description=f"Booked {listing.title} ({booking.status})",
                new_values={"status": booking.status, "total_amount": str(booking.total_amount)},
            )
            _announce(booking, None, guest)
    except PaymentRequired as error:
        # Declined before the booking's INSERT: the transaction (the listing's lock) is rolled back, and the attempt
        # is recorded alone (a savepoint to keep the transaction across a decline cost two round trips a booking).
        with transaction.atomic():
            payments().record_declined(
                guest=guest,
                listing_id=listing.pk,
                start=start_datetime,
                end=end_datetime,
                amount=quote.total_amount,
                reason=error.detail,
                code=error.code,
            )
        raise
    return booking


# --- Host decisions -------------------------------------------------------------------------------------------------


def approve_booking(*, booking: Booking, actor: Any) -> Booking:
    """The host accepts a request: the held payment is captured."""
    with transaction.atomic():
        booking = _locked(booking)
        _require_host(booking, actor)
        _require(booking, Status.PENDING, doing="approved")
        payments().capture(booking=booking)
        return _transition(
            booking,
            actor=actor,
            to=Status.CONFIRMED,
            action=AuditLog.Action.BOOKING_APPROVE,
            description="Request approved; payment captured",
            fields=[],
        )


def _release_and_cancel(booking: Booking, *, actor: Any, action: str, reason: str, description: str) -> Booking:
    payments().release(booking=booking)
    booking.cancelled_at = timezone.now()
    booking.cancelled_by = actor if getattr(actor, "pk", None) else None
    booking.cancellation_reason = reason
    booking.refund_amount = Decimal("0.00")
    return _transition(
        booking,
        actor=actor,
        to=Status.CANCELLED,
        action=action,
        description=description,
        fields=["cancelled_at", "cancelled_by", "cancellation_reason", "refund_amount"],
    )


def decline_booking(*, booking: Booking, actor: Any, reason: str = "") -> Booking:
    """The host turns a request down: the held payment is released, the guest pays nothing."""
    with transaction.atomic():
        booking = _locked(booking)
        _require_host(booking, actor)
        _require(booking, Status.PENDING, doing="declined")
        return _release_and_cancel(
            booking,
            actor=actor,
            action=AuditLog.Action.BOOKING_DECLINE,
            reason=reason or "Declined by the host",
            description="Request declined; authorisation released",
        )


def expire_pending_bookings(*, now: datetime | None = None) -> int:
    """Requests the host has not answered within 24 hours lapse and their authorisations are released."""
    now = now or timezone.now()
    expired = 0
    for booking_id in Booking.objects.filter(status=Status.PENDING, created_at__lt=now - PENDING_LIFETIME).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            booking = Booking.objects.select_for_update(skip_locked=True).filter(pk=booking_id).first()
            if booking is None or booking.status != Status.PENDING:
                continue
            _release_and_cancel(
                booking,
                actor=None,
                action=AuditLog.Action.BOOKING_EXPIRE,
                reason="The host did not answer within 24 hours",
                description="Request expired; authorisation released",
            )
            expired += 1
    return expired


# --- Window search's marks ----------------------------------------------------------------------------------------

SEARCH_MARKS_BATCH = 500


def refresh_search_marks(*, since: datetime) -> int:
    """Recompute `listings.booked` (migration listings 0006) where it holds more than it must: listings with a
    booking that stopped holding its space since `since` (cancelled, expired, completed, a no-show) and listings
    with a period that has begun (the past is trimmed only when a booking is added). The column is a superset that
    search checks space by space where it overlaps a window, so this only spares those probes; each listing is
    recomputed under its row lock (`listing_refresh_search_marks`), a batch a transaction. Returns how many were
    looked at."""
    statuses = [status.value for status in Booking.ACTIVE_STATUSES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT listing_id FROM bookings WHERE updated_at >= %s AND NOT status = ANY(%s)"
            " UNION SELECT id FROM listings WHERE booked && tstzrange(NULL, now()) ORDER BY 1",
            [since, statuses],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for first in range(0, len(ids), SEARCH_MARKS_BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(listing_refresh_search_marks(id)) FROM unnest(%s::bigint[]) AS batch(id)",
                [ids[first : first + SEARCH_MARKS_BATCH]],
            )
    return len(ids)


# --- Cancellation -------------------------------------------------------------------------------------------------


def cancellation_terms(booking: Booking, *, actor: Any, at: datetime | None = None) -> Decimal:
    """What cancelling now would refund (shown before the guest confirms)."""
    if booking.status == Status.PENDING or booking.payment_status != Booking.PaymentStatus.SUCCEEDED:
        return Decimal("0.00")
    share = pricing.refund_share(
        policy=booking.cancellation_policy or booking.listing.cancellation_policy,
        start=booking.start_datetime,
        cancelled_at=at or timezone.now(),
        by_host=actor.pk == booking.listing.host_id,
    )
    return pricing.refund_amount(captured=booking.total_amount, share=share)


def cancel_booking(*, booking: Booking, actor: Any, reason: str = "") -> Booking:
    """The guest or the host calls a booking off. A request is simply released; a confirmed booking is refunded
    by the listing's cancellation policy (in full when the host cancels)."""
    with transaction.atomic():
        booking = _locked(booking)
        if actor.pk not in (booking.guest_id, booking.listing.host_id):
            raise PermissionDenied("Only the guest or the host can cancel this booking.")
        _require(booking, Status.PENDING, Status.CONFIRMED, doing="cancelled")
        if booking.status == Status.PENDING:
            return _release_and_cancel(
                booking,
                actor=actor,
                action=AuditLog.Action.BOOKING_CANCEL,
                reason=reason,
                description="Request cancelled; authorisation released",
            )
        refund = cancellation_terms(booking, actor=actor)
        if refund > 0:
            payments().refund(booking=booking, amount=refund)
        booking.refund_amount = refund
        booking.cancelled_at = timezone.now()
        booking.cancelled_by = actor
        booking.cancellation_reason = reason
        return _transition(
            booking,
            actor=actor,
            to=Status.CANCELLED,
            action=AuditLog.Action.BOOKING_CANCEL,
            description=f"Cancelled by the {'host' if actor.pk == booking.listing.host_id else 'guest'}",
            fields=["refund_amount", "cancelled_at", "cancelled_by", "cancellation_reason"],
            extra={"refund_amount": str(refund)},
        )


# --- At the space -------------------------------------------------------------------------------------------------


def _photo(upload: UploadedFile | None, attr: str):
    if upload is None:
        return None
    return clean_image(upload, max_bytes=settings.LISTING_PHOTO_MAX_BYTES, attr=attr)


def check_in(*, booking: Booking, actor: Any, photo: UploadedFile | None = None) -> Booking:
    """The guest arrives: from 15 minutes before the start until the end."""
    image = _photo(photo, "photo")
    with transaction.atomic():
        booking = _locked(booking)
        _require_guest(booking, actor)
        _require(booking, Status.CONFIRMED, doing="checked in")
        now = timezone.now()
        if now < booking.start_datetime - CHECK_IN_EARLY:
            raise IllegalTransition("Check-in opens 15 minutes before the start.", code="too_early")
        if now >= booking.end_datetime:
            raise IllegalTransition("This booking has already ended.", code="too_late")
        booking.checked_in_at = now
        fields = ["checked_in_at"]
        if image is not None:
            booking.check_in_photo.save(image.name, image, save=False)
            fields.append("check_in_photo")
        return _transition(
            booking,
            actor=actor,
            to=Status.IN_PROGRESS,
            action=AuditLog.Action.BOOKING_CHECK_IN,
            description="Checked in",
            fields=fields,
        )


def check_out(*, booking: Booking, actor: Any, photo: UploadedFile | None = None) -> Booking:
    image = _photo(photo, "photo")
    with transaction.atomic():
        booking = _locked(booking)
        _require_guest(booking, actor)
        _require(booking, Status.IN_PROGRESS, doing="checked out")
        booking.checked_out_at = timezone.now()
        fields = ["checked_out_at"]
        if image is not None:
            booking.check_out_photo.save(image.name, image, save=False)
            fields.append("check_out_photo")
        return _transition(
            booking,
            actor=actor,
            to=Status.COMPLETED,
            action=AuditLog.Action.BOOKING_CHECK_OUT,
            description="Checked out",
            fields=fields,
        )


def mark_no_show(*, booking: Booking, actor: Any) -> Booking:
    """The host reports that the guest never came: allowed 30 minutes after the start. Nothing is refunded."""
    with transaction.atomic():
        booking = _locked(booking)
        _require_host(booking, actor)
        _require(booking, Status.CONFIRMED, doing="marked as a no-show")
        if timezone.now() < booking.start_datetime + NO_SHOW_GRACE:
            raise IllegalTransition("A no-show can be reported 30 minutes after the start.", code="too_early")
        return _transition(
            booking,
            actor=actor,
            to=Status.NO_SHOW,
            action=AuditLog.Action.BOOKING_NO_SHOW,
            description="Guest did not show up",
            fields=[],
        )
