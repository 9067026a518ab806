"""Bookings, their payments and refunds, and host payouts: the money side of the demo data."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.analytics.demo import catalog
from apps.analytics.demo.state import (
    BATCH_SIZE,
    FUTURE_DAYS,
    HISTORY_DAYS,
    VEHICLE_SIZES,
    DemoState,
    PaymentStatus,
    Plan,
    Status,
    Vehicle,
    backdate,
    ceil_hour,
)
from apps.bookings.availability import Piece, Schedule, Unavailable, check_window, override_hours
from apps.bookings.models import Booking
from apps.bookings.pricing import Rates, billed_hours, quote
from apps.core.models import AuditLog
from apps.core.money import ZERO, to_money
from apps.listings.models import Listing, ListingSpace
from apps.payments.models import Payout, PayoutItem, Transaction
from apps.users.models import User


class BookingStages(DemoState):
    # --- Bookings -------------------------------------------------------------------------------------------------

    def _bookings(self) -> None:
        spaces: dict[int, list[int]] = defaultdict(list)
        rows = ListingSpace.objects.filter(listing__in=self.listings, is_active=True).order_by("listing_id", "id")
        for listing_id, space_id in rows.values_list("listing_id", "id"):
            spaces[listing_id].append(space_id)
        for listing in self._progress(self.listings, "Bookings", "listing"):
            space_ids = spaces[listing.pk]
            schedule = Schedule.of(
                listing, space_ids=space_ids, rules=self.rules[listing.pk], exceptions=(), bookings=()
            )
            rates = Rates.of(listing)
            wanted = self.rng.randint(3, 10) if len(space_ids) == 1 else self.rng.randint(10, 28)
            per_space = Counter(self.rng.choice(space_ids) for _ in range(wanted))
            for space_id in sorted(per_space):
                self._walk(listing, schedule, rates, space_id, per_space[space_id])
        Booking.objects.bulk_create([plan.booking for plan in self.plans], batch_size=BATCH_SIZE)
        backdate(Booking, "created_at", {plan.booking.pk: plan.created_at for plan in self.plans})
        self.report.counts["bookings"] += len(self.plans)

    def _walk(self, listing: Listing, schedule: Schedule, rates: Rates, space_id: int, count: int) -> None:
        """Lay `count` bookings of one space end to end from the start of the history to the horizon, so that no
        two of them overlap (the exclusion constraint would refuse it)."""
        history_start = self.now - timedelta(days=HISTORY_DAYS)
        horizon = self.now + timedelta(days=FUTURE_DAYS)
        mean_gap_hours = max(6.0, (horizon - history_start).total_seconds() / 3600 / count - 12)
        cursor, made, attempts = history_start, 0, 0
        while made < count and attempts < count * 4:
            attempts += 1
            earliest = cursor + timedelta(hours=self.rng.expovariate(1 / mean_gap_hours))
            start, end = self._window(listing, earliest)
            if end > horizon:
                return
            try:
                pieces = check_window(schedule, start, end)
            except Unavailable:
                cursor = earliest
                continue
            self.plans.append(self._plan(listing, rates, space_id, start, end, pieces))
            cursor, made = end, made + 1

    def _window(self, listing: Listing, earliest: datetime) -> tuple[datetime, datetime]:
        rng = self.rng
        if listing.available_start_time != time(0):
            opens, closes = listing.available_start_time.hour, listing.available_end_time.hour
            wanted = rng.choices((1, 2, 3, 4, 6, 8, 10), weights=(15, 25, 20, 15, 10, 10, 5))[0]
            hours = min(max(listing.minimum_hours, wanted), closes - opens)
            zone = ZoneInfo(listing.time_zone)
            local = earliest.astimezone(zone)
            day, first_hour = local.date(), max(opens, local.hour + 1)
            if first_hour + hours > closes:
                day, first_hour = day + timedelta(days=1), opens
            if listing.pk in self.weekday_only and day.weekday() >= 5:
                day, first_hour = day + timedelta(days=7 - day.weekday()), opens
            start_hour = rng.randint(first_hour, closes - hours)
            start = datetime.combine(day, time(start_hour), tzinfo=zone).astimezone(UTC)
            return start, start + timedelta(hours=hours)
        start = ceil_hour(earliest) + timedelta(minutes=rng.choice((0, 0, 0, 30)))
        roll = rng.random()
        if roll < 0.6:
            hours = rng.randint(1, 10)
        elif roll < 0.92:
            hours = 24 * rng.randint(1, 3) + rng.choice((0, 0, 2, 4))
        else:
            hours = 24 * rng.randint(4, 8)
        hours = max(listing.minimum_hours, min(hours, listing.maximum_days * 24))
        return start, start + timedelta(hours=hours)

    def _guest_for(self, listing: Listing) -> User:
        while True:
            guest = self.rng.choices(self.guests, weights=self.guest_weights)[0]
            if guest.pk != listing.host_id:
                return guest

    def _vehicle_for(self, guest: User, listing: Listing) -> Vehicle:
        vehicle = self.vehicles[guest.pk]
        largest = VEHICLE_SIZES.index(listing.max_vehicle_size)
        if VEHICLE_SIZES.index(vehicle.size) <= largest:
            return vehicle
        fitting = [entry for entry in catalog.VEHICLES if VEHICLE_SIZES.index(entry[2]) <= largest]
        make, model, size = self.rng.choice(fitting)
        return Vehicle(make, model, size, vehicle.color, vehicle.plate, vehicle.state)

    def _plan(
        self, listing: Listing, rates: Rates, space_id: int, start: datetime, end: datetime, pieces: list[Piece]
    ) -> Plan:
        rng = self.rng
        price = quote(
            rates=rates,
            start=start,
            end=end,
            override_hours=override_hours(pieces, start, billed_hours(start, end)),
            currency=listing.currency,
        )
        guest = self._guest_for(listing)
        vehicle = self._vehicle_for(guest, listing)
        lead_hours = rng.choices(
            (rng.uniform(0.5, 24), rng.uniform(24, 7 * 24), rng.uniform(7 * 24, 21 * 24)), weights=(3, 5, 2)
        )[0]
        created_at = start - timedelta(hours=lead_hours)
        if created_at > self.now:
            created_at = self.now - timedelta(minutes=rng.uniform(5, 3 * 24 * 60))
        booking = Booking(
            guest=guest,
            listing=listing,
            space_id=space_id,
            start_datetime=start,
            end_datetime=end,
            duration_hours=price.duration_hours,
            vehicle_make=vehicle.make,
            vehicle_model=vehicle.model,
            vehicle_color=vehicle.color,
            vehicle_license_plate=vehicle.plate,
            vehicle_state=vehicle.state,
            currency=price.currency,
            price_per_hour=listing.price_per_hour,
            price_per_day=listing.price_per_day,
            subtotal=price.subtotal,
            service_fee=price.service_fee,
            host_fee=price.host_fee,
            host_payout=price.host_payout,
            total_amount=price.total_amount,
            price_breakdown=[
                {key: str(value) for key, value in line.as_dict().items()} | {"count": line.count}
                for line in price.breakdown
            ],
            cancellation_policy=listing.cancellation_policy,
            payment_intent_id=f"pi_demo_{rng.getrandbits(96):024x}",
            guest_notes=rng.choice(catalog.GUEST_NOTES),
            metadata={"source": "seed_demo"},
        )
        plan = Plan(booking=booking, host=listing.host, created_at=created_at)
        self._settle(plan, listing)
        return plan

    def _settle(self, plan: Plan, listing: Listing) -> None:
        """Decide what became of the booking, and its payment: past ones completed (a few cancelled or no-shows),
        current ones in progress, future ones confirmed or awaiting the host."""
        rng, booking, now = self.rng, plan.booking, self.now
        start, end = booking.start_datetime, booking.end_datetime
        roll = rng.random()
        if end <= now:
            booking.status = Status.CANCELLED if roll < 0.08 else Status.NO_SHOW if roll < 0.12 else Status.COMPLETED
        elif start <= now:
            booking.status = Status.IN_PROGRESS
        elif roll < 0.06:
            booking.status = Status.CANCELLED
        elif not listing.instant_booking and roll < 0.55:
            booking.status = Status.PENDING
        else:
            booking.status = Status.CONFIRMED

        if booking.status == Status.PENDING:
            booking.payment_status = PaymentStatus.AUTHORIZED
            return
        if booking.status == Status.CANCELLED:
            self._cancel(plan, listing)
            return
        booking.payment_status = PaymentStatus.SUCCEEDED
        plan.captured_at = plan.created_at
        if booking.status in (Status.COMPLETED, Status.IN_PROGRESS):
            booking.checked_in_at = start + timedelta(minutes=rng.uniform(0, 20))
        if booking.status == Status.COMPLETED:
            booking.checked_out_at = end - timedelta(minutes=rng.uniform(0, 15))
            if rng.random() < 0.04:
                # A goodwill refund after a problem on site.
                booking.refund_amount = to_money(booking.subtotal * Decimal("0.25"))
                booking.payment_status = PaymentStatus.PARTIAL_REFUND
                plan.refunded_at = min(end + timedelta(days=1), now)

    def _cancel(self, plan: Plan, listing: Listing) -> None:
        rng, booking = self.rng, plan.booking
        start = booking.start_datetime
        window = min(start, self.now) - plan.created_at
        booking.cancelled_at = plan.created_at + window * rng.uniform(0.1, 0.9)
        roll = rng.random()
        if not listing.instant_booking and roll < 0.3:
            booking.payment_status = PaymentStatus.RELEASED
            booking.cancelled_by = plan.host
            booking.cancellation_reason = "Request declined by the host."
            return
        if 0.3 <= roll < 0.4:
            booking.payment_status = PaymentStatus.FAILED
            booking.cancellation_reason = "The payment was declined."
            plan.failed_at = plan.created_at
            return
        plan.captured_at = plan.created_at
        by_host = rng.random() < 0.15
        booking.cancelled_by = plan.host if by_host else booking.guest
        booking.cancellation_reason = rng.choice(
            catalog.HOST_CANCELLATION_REASONS if by_host else catalog.CANCELLATION_REASONS
        )
        notice = start - booking.cancelled_at
        if by_host or listing.cancellation_policy == Listing.CancellationPolicy.FLEXIBLE or notice >= timedelta(days=2):
            refund = booking.total_amount
        elif listing.cancellation_policy == Listing.CancellationPolicy.MODERATE:
            refund = to_money(booking.total_amount / 2)
        else:
            refund = ZERO
        if refund > 0:
            booking.refund_amount = refund
            booking.payment_status = (
                PaymentStatus.REFUNDED if refund == booking.total_amount else PaymentStatus.PARTIAL_REFUND
            )
            plan.refunded_at = booking.cancelled_at
        else:
            booking.payment_status = PaymentStatus.SUCCEEDED

    # --- Ledger and audit -----------------------------------------------------------------------------------------

    def _ledger(self) -> None:
        transactions: list[tuple[Transaction, datetime]] = []
        audit: list[AuditLog] = []

        def log(plan: Plan, action: str, actor: User | None, moment: datetime, description: str) -> None:
            audit.append(
                AuditLog(
                    user=actor,
                    user_email=actor.email if actor else "",
                    action=action,
                    description=description,
                    content_type=self.booking_type,
                    object_id=plan.booking.pk,
                    additional_data={"source": "seed_demo"},
                    created_at=moment,
                )
            )

        for plan in self.plans:
            booking, guest = plan.booking, plan.booking.guest
            log(plan, AuditLog.Action.BOOKING_CREATE, guest, plan.created_at, "Booking created")
            if plan.captured_at:
                transactions.append(
                    (
                        _payment_entry(booking, Transaction.Status.COMPLETED, completed_at=plan.captured_at),
                        plan.captured_at,
                    )
                )
                log(plan, AuditLog.Action.PAYMENT_PROCESS, None, plan.captured_at, "Payment captured")
            if plan.failed_at:
                transactions.append(
                    (
                        _payment_entry(booking, Transaction.Status.FAILED, failure_reason="Your card was declined."),
                        plan.failed_at,
                    )
                )
            if plan.refunded_at and booking.refund_amount:
                transactions.append(
                    (
                        Transaction(
                            booking=booking,
                            user=guest,
                            transaction_type=Transaction.TransactionType.REFUND,
                            amount=booking.refund_amount,
                            currency=booking.currency,
                            stripe_payment_intent_id=booking.payment_intent_id,
                            stripe_refund_id=f"re_demo_{self.rng.getrandbits(96):024x}",
                            status=Transaction.Status.COMPLETED,
                            description=f"Refund for booking {booking.booking_code}",
                            completed_at=plan.refunded_at,
                        ),
                        plan.refunded_at,
                    )
                )
                log(plan, AuditLog.Action.PAYMENT_REFUND, None, plan.refunded_at, f"Refunded {booking.refund_amount}")
            if booking.status == Status.CANCELLED:
                log(plan, AuditLog.Action.BOOKING_CANCEL, booking.cancelled_by, booking.cancelled_at, "Cancelled")
            elif booking.status == Status.NO_SHOW:
                log(plan, AuditLog.Action.BOOKING_NO_SHOW, None, booking.end_datetime, "Guest did not arrive")
            elif booking.checked_out_at:
                log(plan, AuditLog.Action.BOOKING_CHECK_OUT, guest, booking.checked_out_at, "Checked out")
            elif booking.checked_in_at:
                log(plan, AuditLog.Action.BOOKING_CHECK_IN, guest, booking.checked_in_at, "Checked in")
        Transaction.objects.bulk_create([entry for entry, _ in transactions], batch_size=BATCH_SIZE)
        backdate(Transaction, "created_at", {entry.pk: moment for entry, moment in transactions})
        AuditLog.objects.bulk_create(audit, batch_size=BATCH_SIZE)
        self.report.counts["transactions"] += len(transactions)
        self.report.counts["audit log rows"] += len(audit)

    # --- Payouts --------------------------------------------------------------------------------------------------

    def _payouts(self) -> None:
        """Hosts are paid monthly for the bookings that ended (and were not refunded) in each finished month."""
        month_start = self.now.date().replace(day=1)
        groups: dict[tuple[int, date], list[Plan]] = defaultdict(list)
        for plan in self.plans:
            booking = plan.booking
            if (
                booking.status in (Status.COMPLETED, Status.NO_SHOW)
                and booking.payment_status == PaymentStatus.SUCCEEDED
                and booking.end_datetime.date() < month_start
            ):
                groups[(plan.host.pk, booking.end_datetime.date().replace(day=1))].append(plan)
        payouts: list[tuple[Payout, list[Plan], datetime]] = []
        for (host_id, period_start), plans in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
            next_month = (period_start + timedelta(days=32)).replace(day=1)
            period_end = next_month - timedelta(days=1)
            created_at = min(datetime.combine(next_month, time(9), tzinfo=UTC), self.now)
            paid_at = min(created_at + timedelta(days=2), self.now)
            payout = Payout(
                host_id=host_id,
                amount=sum((plan.booking.host_payout for plan in plans), ZERO),
                period_start=period_start,
                period_end=period_end,
                stripe_transfer_id=f"tr_demo_{self.rng.getrandbits(96):024x}",
                status=Payout.Status.PAID,
                attempts=1,
                paid_at=paid_at,
            )
            payouts.append((payout, plans, created_at))
        Payout.objects.bulk_create([payout for payout, _, _ in payouts], batch_size=BATCH_SIZE)
        backdate(Payout, "created_at", {payout.pk: created_at for payout, _, created_at in payouts})
        items, transactions, audit = [], [], []
        for payout, plans, _ in payouts:
            for plan in plans:
                booking = plan.booking
                items.append(PayoutItem(payout=payout, booking=booking, amount=booking.host_payout))
                transactions.append(
                    Transaction(
                        booking=booking,
                        user=plan.host,
                        payout=payout,
                        transaction_type=Transaction.TransactionType.PAYOUT,
                        amount=booking.host_payout,
                        currency=booking.currency,
                        stripe_transfer_id=payout.stripe_transfer_id,
                        status=Transaction.Status.COMPLETED,
                        description=f"Payout for booking {booking.booking_code}",
                        completed_at=payout.paid_at,
                    )
                )
            audit.append(
                AuditLog(
                    action=AuditLog.Action.PAYOUT_PROCESS,
                    description=f"Payout of {payout.amount} {payout.currency} sent",
                    content_type=self.payout_type,
                    object_id=payout.pk,
                    additional_data={"source": "seed_demo"},
                    created_at=payout.paid_at,
                )
            )
        PayoutItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
        Transaction.objects.bulk_create(transactions, batch_size=BATCH_SIZE)
        backdate(Transaction, "created_at", {entry.pk: entry.completed_at for entry in transactions})
        AuditLog.objects.bulk_create(audit, batch_size=BATCH_SIZE)
        self.report.counts["payouts"] += len(payouts)
        self.report.counts["transactions"] += len(transactions)
        self.report.counts["audit log rows"] += len(audit)


def _payment_entry(booking, status: str, **fields) -> Transaction:
    """The guest's BOOKING ledger entry for a demo booking, in the given state."""
    return Transaction(
        booking=booking,
        user=booking.guest,
        transaction_type=Transaction.TransactionType.BOOKING_PAYMENT,
        amount=booking.total_amount,
        currency=booking.currency,
        stripe_payment_intent_id=booking.payment_intent_id,
        status=status,
        description=f"Payment for booking {booking.booking_code}",
        **fields,
    )
