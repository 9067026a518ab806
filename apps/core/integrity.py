"""Data integrity checks: the invariants of DESIGN.md and the seed's "Data Integrity Checks", as queries that return
the ids of the rows breaking them. `manage.py check_integrity` runs them; an empty answer means the rule holds.

Many of these rules are also enforced by constraints. The checks still look: constraints can be dropped, disabled
(`session_replication_role = replica`) or added after bad rows existed, data can be restored from elsewhere, and
some rules (the ledger, ratings, capacity over time) are not constraints at all.

The checks are parameterised raw SQL on purpose. They are aggregates over time ranges, ledger sums per booking and
recomputations compared with stored values, which read plainly in SQL and only with contortions through the ORM;
and `core` knows no domain app, so it reads the seed's tables by name instead of importing their models. The values
that are rules of a domain app (which booking statuses hold a space, which payment states mean the money was
captured) are not repeated here: they are read from the models at run time and passed in as query parameters.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    sql: str  # selects one column: the ids of the offending rows (of the table `description` names)


@dataclass(frozen=True)
class CheckResult:
    check: Check
    offending_ids: list[int]

    @property
    def count(self) -> int:
        return len(self.offending_ids)

    @property
    def is_ok(self) -> bool:
        return not self.offending_ids


# Completed BOOKING payments and REFUNDs per booking: what was really captured and given back.
_LEDGER = """
    SELECT booking_id,
           coalesce(sum(amount) FILTER (WHERE transaction_type = %(payment)s), 0) AS captured,
           coalesce(sum(amount) FILTER (WHERE transaction_type = %(refund)s), 0) AS refunded
    FROM transactions
    WHERE status = %(completed)s
    GROUP BY booking_id
"""

CHECKS: tuple[Check, ...] = (
    Check(
        "orphaned_bookings",
        "bookings whose listing does not exist",
        """SELECT b.id FROM bookings b LEFT JOIN listings l ON l.id = b.listing_id WHERE l.id IS NULL""",
    ),
    Check(
        "several_default_payment_methods",
        "users with more than one default payment method",
        """SELECT user_id FROM payment_methods WHERE is_default GROUP BY user_id HAVING count(*) > 1""",
    ),
    Check(
        "booking_ends_before_start",
        "bookings whose end is not after their start",
        """SELECT id FROM bookings WHERE end_datetime <= start_datetime""",
    ),
    Check(
        "overlapping_active_bookings",
        "active bookings overlapping another active booking of the same space",
        # Compared bound by bound rather than with tstzrange(), which fails on the reversed windows the check above
        # reports: one bad row must not stop the other checks.
        """
        SELECT a.id FROM bookings a
        WHERE a.status = ANY(%(active)s) AND EXISTS (
            SELECT 1 FROM bookings o
            WHERE o.space_id = a.space_id AND o.id <> a.id AND o.status = ANY(%(active)s)
              AND o.start_datetime < a.end_datetime AND a.start_datetime < o.end_datetime)
        """,
    ),
    Check(
        "listing_over_capacity",
        "listings whose active bookings exceed spaces_available at some instant",
        # The most bookings at once is reached at the start of one of them: count those running at each start.
        """
        SELECT DISTINCT b.listing_id FROM bookings b JOIN listings l ON l.id = b.listing_id
        WHERE b.status = ANY(%(active)s) AND b.end_datetime > b.start_datetime
          AND l.spaces_available < (
              SELECT count(*) FROM bookings o
              WHERE o.listing_id = b.listing_id AND o.status = ANY(%(active)s)
                AND o.start_datetime <= b.start_datetime AND o.end_datetime > b.start_datetime)
        """,
    ),
    Check(
        "booking_space_of_other_listing",
        "bookings holding a space of a different listing",
        """SELECT b.id FROM bookings b JOIN listing_spaces s ON s.id = b.space_id WHERE s.listing_id <> b.listing_id""",
    ),
    Check(
        "total_is_not_subtotal_plus_fee",
        "bookings whose total_amount is not subtotal + service_fee",
        """SELECT id FROM bookings WHERE total_amount <> subtotal + service_fee""",
    ),
    Check(
        "payout_is_not_subtotal_minus_host_fee",
        "bookings whose host_payout is not subtotal - host_fee",
        """SELECT id FROM bookings WHERE host_payout <> subtotal - host_fee""",
    ),
    Check(
        "refund_exceeds_captured",
        "bookings refunded more than the completed payments captured",
        f"""
        SELECT b.id FROM bookings b LEFT JOIN ({_LEDGER}) t ON t.booking_id = b.id
        WHERE coalesce(b.refund_amount, 0) > coalesce(t.captured, 0)
           OR coalesce(t.refunded, 0) > coalesce(t.captured, 0)
        """,  # noqa: S608 - composed of constants only
    ),
    Check(
        "ledger_does_not_reconcile",
        "paid bookings whose completed payments minus refunds differ from total_amount - refund_amount",
        f"""
        SELECT b.id FROM bookings b LEFT JOIN ({_LEDGER}) t ON t.booking_id = b.id
        WHERE b.payment_status = ANY(%(captured_states)s)
          AND coalesce(t.captured, 0) - coalesce(t.refunded, 0) <> b.total_amount - coalesce(b.refund_amount, 0)
        """,  # noqa: S608 - composed of constants only
    ),
    Check(
        "completed_payment_on_uncaptured_booking",
        "bookings whose payment was never captured (pending, failed, released) yet have a completed payment",
        """
        SELECT b.id FROM bookings b
        WHERE b.payment_status = ANY(%(uncaptured_states)s) AND EXISTS (
            SELECT 1 FROM transactions t
            WHERE t.booking_id = b.id AND t.transaction_type = %(payment)s AND t.status = %(completed)s)
        """,
    ),
    Check(
        "listing_rating_mismatch",
        "listings whose rating_average/rating_count differ from their published guest reviews",
        """
        SELECT l.id FROM listings l LEFT JOIN (
            SELECT listing_id, count(*) AS rating_count, round(avg(overall_rating), 2) AS rating_average
            FROM reviews WHERE is_published AND review_type = %(guest_to_host)s GROUP BY listing_id
        ) r ON r.listing_id = l.id
        WHERE l.rating_count <> coalesce(r.rating_count, 0) OR l.rating_average IS DISTINCT FROM r.rating_average
        """,
    ),
    Check(
        "listing_host_standing_mismatch",
        "listings whose host_active differs from their host's account (is_active and not is_deleted)",
        """
        SELECT l.id FROM listings l JOIN users u ON u.id = l.host_id
        WHERE l.host_active IS DISTINCT FROM (u.is_active AND NOT u.is_deleted)
        """,
    ),
    Check(
        "listing_booked_misses_a_booking",
        "listings whose booked times (for window search) miss a future active booking, or that have no active space "
        "and are not booked throughout (repair: SELECT listing_refresh_search_marks(id))",
        # `booked` may hold more than the bookings (a cancelled one stays until recomputed), never less.
        """
        SELECT b.listing_id FROM bookings b JOIN listings l ON l.id = b.listing_id
        WHERE b.status = ANY(%(active)s) AND b.end_datetime > now() AND b.start_datetime < b.end_datetime
          AND NOT l.booked @> tstzrange(greatest(b.start_datetime, now()), b.end_datetime)
        UNION ALL
        SELECT l.id FROM listings l
        WHERE NOT l.booked @> tstzrange(now(), NULL)
          AND NOT EXISTS (SELECT 1 FROM listing_spaces s WHERE s.listing_id = l.id AND s.is_active)
        """,
    ),
    Check(
        "listing_calendar_mark_mismatch",
        "listings whose has_calendar_entries (for window search) differs from whether they have availability rules "
        "or exceptions",
        """
        SELECT l.id FROM listings l LEFT JOIN (
            SELECT listing_id FROM availability_rules UNION SELECT listing_id FROM availability_exceptions
        ) c ON c.listing_id = l.id
        WHERE l.has_calendar_entries <> (c.listing_id IS NOT NULL)
        """,
    ),
    Check(
        "user_rating_mismatch",
        "users whose rating_average/rating_count differ from the published reviews they received",
        """
        SELECT u.id FROM users u LEFT JOIN (
            SELECT reviewee_id, count(*) AS rating_count, round(avg(overall_rating), 2) AS rating_average
            FROM reviews WHERE is_published GROUP BY reviewee_id
        ) r ON r.reviewee_id = u.id
        WHERE u.rating_count <> coalesce(r.rating_count, 0) OR u.rating_average IS DISTINCT FROM r.rating_average
        """,
    ),
    Check(
        "several_reviews_per_booking_reviewer",
        "bookings reviewed more than once by the same person",
        """SELECT DISTINCT booking_id FROM reviews GROUP BY booking_id, reviewer_id HAVING count(*) > 1""",
    ),
    Check(
        "review_of_wrong_parties",
        "reviews whose listing, reviewer or reviewee are not the booking's listing, guest and host",
        """
        SELECT r.id FROM reviews r JOIN bookings b ON b.id = r.booking_id JOIN listings l ON l.id = b.listing_id
        WHERE r.listing_id <> b.listing_id
           OR (r.review_type = %(guest_to_host)s AND (r.reviewer_id <> b.guest_id OR r.reviewee_id <> l.host_id))
           OR (r.review_type <> %(guest_to_host)s AND (r.reviewer_id <> l.host_id OR r.reviewee_id <> b.guest_id))
        """,
    ),
    Check(
        "deleted_user_without_timestamp",
        "soft-deleted users without deleted_at",
        """SELECT id FROM users WHERE is_deleted AND deleted_at IS NULL""",
    ),
    Check(
        "deleted_listing_without_timestamp",
        "soft-deleted listings without deleted_at",
        """SELECT id FROM listings WHERE is_deleted AND deleted_at IS NULL""",
    ),
    Check(
        "deleted_message_without_timestamp",
        "soft-deleted messages without deleted_at",
        """SELECT id FROM messages WHERE is_deleted AND deleted_at IS NULL""",
    ),
    Check(
        "active_spaces_differ_from_spaces_available",
        "listings whose number of active spaces is not spaces_available",
        """
        SELECT l.id FROM listings l LEFT JOIN listing_spaces s ON s.listing_id = l.id AND s.is_active
        GROUP BY l.id, l.spaces_available HAVING count(s.id) <> l.spaces_available
        """,
    ),
    Check(
        "booking_in_several_payouts",
        "bookings paid out in more than one payout",
        """
        SELECT booking_id FROM (
            SELECT booking_id, payout_id FROM payout_bookings
            UNION
            SELECT booking_id, payout_id FROM transactions
            WHERE payout_id IS NOT NULL AND transaction_type = %(payout)s AND status = %(completed)s
        ) paid
        GROUP BY booking_id HAVING count(DISTINCT payout_id) > 1
        """,
    ),
)


def _parameters() -> dict[str, object]:
    """The domain values the checks need, from the models that own them (loaded lazily: `core` imports no app)."""
    booking = apps.get_model("bookings", "Booking")
    transaction = apps.get_model("payments", "Transaction")
    review = apps.get_model("reviews", "Review")
    paid = booking.PaymentStatus
    return {
        "active": list(booking.ACTIVE_STATUSES),
        "captured_states": [paid.SUCCEEDED, paid.REFUNDED, paid.PARTIAL_REFUND],
        "uncaptured_states": [paid.PENDING, paid.FAILED, paid.RELEASED],
        "payment": transaction.TransactionType.BOOKING_PAYMENT,
        "refund": transaction.TransactionType.REFUND,
        "payout": transaction.TransactionType.PAYOUT,
        "completed": transaction.Status.COMPLETED,
        "guest_to_host": review.ReviewType.GUEST_TO_HOST,
    }


def check_names() -> list[str]:
    return [check.name for check in CHECKS]


def run_checks(names: Iterable[str] | None = None) -> list[CheckResult]:
    """Run the named checks (all by default), in the order they are declared."""
    wanted = set(names) if names is not None else None
    unknown = (wanted or set()) - set(check_names())
    if unknown:
        raise ValueError(f"Unknown integrity checks: {', '.join(sorted(unknown))}.")
    parameters = _parameters()
    results = []
    with connection.cursor() as cursor:
        for check in CHECKS:
            if wanted is not None and check.name not in wanted:
                continue
            cursor.execute(f"SELECT DISTINCT id FROM ({check.sql}) AS offending(id) ORDER BY id", parameters)  # noqa: S608 - our own SQL
            results.append(CheckResult(check, [row[0] for row in cursor.fetchall()]))
    return results
