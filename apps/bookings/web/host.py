"""The host's side of bookings in the browser: requests to answer, the bookings coming up, and a month calendar per
listing. Approving, declining and reporting a no-show call the same services as the API; htmx swaps the answered
row in place, and without JavaScript the forms post and come back to the page."""

from __future__ import annotations

import calendar as month_calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.timesince import timeuntil
from django.views.decorators.http import require_POST

from apps.bookings import selectors, services
from apps.bookings.models import Booking
from apps.core.errors import DomainError
from apps.listings.models import Listing
from apps.listings.selectors import managed_listing

Status = Booking.Status
MAX_ROWS = 50  # requests and upcoming bookings shown; the oldest requests and the soonest stays come first
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
REASON_MAX_LENGTH = 1000  # as the API's decline


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional, shown to the guest)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, booking: Booking, **kwargs):
        kwargs.setdefault("prefix", f"decline-{booking.pk}")  # unique ids when many rows are on the page
        super().__init__(*args, **kwargs)


# --- Presentation -------------------------------------------------------------------------------------------------


def local_window(booking: Booking) -> str:
    """`Sat, Nov 28, 9:00 AM to 11:00 AM CST` in the listing's time zone (both dates when it spans several days)."""
    zone = ZoneInfo(booking.listing.time_zone)
    start, end = booking.start_datetime.astimezone(zone), booking.end_datetime.astimezone(zone)
    first = format_date(start, "D, M j, g:i A")
    last = format_date(end, "g:i A T") if start.date() == end.date() else format_date(end, "D, M j, g:i A T")
    return f"{first} to {last}"


def _decorate(booking: Booking, *, now: datetime) -> Booking:
    """What the rows show besides the booking's own fields."""
    booking.window = local_window(booking)
    if booking.status == Status.PENDING:
        booking.expires_at = booking.created_at + services.PENDING_LIFETIME
        booking.is_overdue = booking.expires_at <= now
        booking.expires_in = timeuntil(booking.expires_at, now, depth=1)
    booking.starts_in = timeuntil(booking.start_datetime, now, depth=1)
    booking.can_mark_no_show = booking.status == Status.CONFIRMED and now >= (
        booking.start_datetime + services.NO_SHOW_GRACE
    )
    booking.no_show_from = booking.start_datetime + services.NO_SHOW_GRACE
    booking.has_started = booking.start_datetime <= now
    return booking


# --- Reads --------------------------------------------------------------------------------------------------------


def _hosted(host):
    """Bookings of the host's listings (the bookings selector), with what the rows show."""
    return selectors.bookings_of(host, role="host").select_related("space")


def _hosted_booking(host, booking_code) -> Booking:
    """One booking of the host's listings; anybody else's (their guest included) is a 404 here."""
    booking = _hosted(host).filter(booking_code=booking_code).first()
    if booking is None:
        raise Http404("No such booking among your listings.")
    return _decorate(booking, now=timezone.now())


def _requests_context(host, *, bound: dict[int, DeclineForm] | None = None) -> dict:
    now = timezone.now()
    pending = list(_hosted(host).filter(status=Status.PENDING).order_by("created_at", "id")[:MAX_ROWS])
    upcoming = list(
        _hosted(host)
        .filter(status__in=(Status.CONFIRMED, Status.IN_PROGRESS), end_datetime__gt=now)
        .order_by("start_datetime", "id")[:MAX_ROWS]
    )
    for booking in pending:
        _decorate(booking, now=now)
        booking.decline_form = (bound or {}).get(booking.pk) or DeclineForm(booking=booking)
    for booking in upcoming:
        _decorate(booking, now=now)
    return {
        "pending": pending,
        "upcoming": upcoming,
        "max_rows": MAX_ROWS,
        "calendar_listings": _calendar_listings(host),
    }


def _calendar_listings(host) -> list[Listing]:
    return list(Listing.objects.filter(host=host, is_deleted=False).only("pk", "title").order_by("title", "pk"))


# --- Requests and upcoming bookings -------------------------------------------------------------------------------


@login_required
def requests(request):
    return render(request, "bookings/host/requests.html", _requests_context(request.user))


def _answered(request, booking: Booking, *, template: str, notice: str = "", error: str = "", form=None):
    """The row again (htmx; 422 with the error when the service said no), or back to the page with a message."""
    booking = _hosted_booking(request.user, booking.booking_code)  # fresh: the service may have changed it
    if request.htmx:
        if booking.status == Status.PENDING:
            booking.decline_form = form or DeclineForm(booking=booking)
        context = {"booking": booking, "notice": notice, "error": error}
        return render(request, template, context, status=422 if error or (form and form.errors) else 200)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect("host_requests")


@login_required
@require_POST
def approve(request, booking_code):
    booking = _hosted_booking(request.user, booking_code)
    try:
        services.approve_booking(booking=booking, actor=request.user)
    except DomainError as error:
        return _answered(request, booking, template="bookings/host/_request.html", error=error.detail)
    notice = f"Approved: {booking.guest.first_name or 'the guest'} is booked for {booking.window}."
    return _answered(request, booking, template="bookings/host/_request.html", notice=notice)


@login_required
@require_POST
def decline(request, booking_code):
    booking = _hosted_booking(request.user, booking_code)
    form = DeclineForm(request.POST, booking=booking)
    if not form.is_valid():
        if request.htmx:
            return _answered(request, booking, template="bookings/host/_request.html", form=form)
        context = _requests_context(request.user, bound={booking.pk: form})
        return render(request, "bookings/host/requests.html", context, status=400)
    try:
        services.decline_booking(booking=booking, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _answered(request, booking, template="bookings/host/_request.html", error=error.detail, form=form)
    notice = "Declined. The guest pays nothing and has been told."
    return _answered(request, booking, template="bookings/host/_request.html", notice=notice)


@login_required
@require_POST
def no_show(request, booking_code):
    booking = _hosted_booking(request.user, booking_code)
    try:
        services.mark_no_show(booking=booking, actor=request.user)
    except DomainError as error:
        return _answered(request, booking, template="bookings/host/_upcoming.html", error=error.detail)
    notice = "Reported as a no-show. The booking is not refunded."
    return _answered(request, booking, template="bookings/host/_upcoming.html", notice=notice)


# --- Calendar -----------------------------------------------------------------------------------------------------


@dataclass
class CalendarEntry:
    booking: Booking
    part: str  # "whole" (starts and ends that day) | "start" | "middle" | "end"
    starts: str
    ends: str


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    entries: list[CalendarEntry] = field(default_factory=list)


def _month(value: str | None, today: date) -> tuple[date, str]:
    """The first day of the month asked for (`YYYY-MM`), or of this month with the reason the value was refused."""
    if not value:
        return today.replace(day=1), ""
    match = MONTH.match(value.strip())
    if match and 1900 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1), ""
    return today.replace(day=1), "Choose a month like 2026-11. Showing this month instead."


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _local_dates(booking: Booking, zone: ZoneInfo) -> tuple[date, date]:
    start = booking.start_datetime.astimezone(zone)
    # A booking ending at midnight does not reach into the next day.
    end = (booking.end_datetime - timedelta(microseconds=1)).astimezone(zone)
    return start.date(), end.date()


def _part(day: date, begins: date, finishes: date) -> str:
    if begins == finishes:
        return "whole"
    if day == begins:
        return "start"
    return "end" if day == finishes else "middle"


@login_required
def calendar_pick(request):
    """The listing picker's target: on to that listing's calendar (which answers 404 for anybody else's)."""
    listing_id = request.GET.get("listing", "").strip()
    if listing_id.isdigit():
        return redirect("host_calendar", listing_id=int(listing_id))
    messages.error(request, "Choose one of your listings to see its calendar.")
    return redirect("host_requests")


@login_required
def calendar(request, listing_id: int):
    listing = managed_listing(listing_id, request.user)
    zone = ZoneInfo(listing.time_zone)
    today = timezone.now().astimezone(zone).date()
    first, month_error = _month(request.GET.get("month"), today)
    spaces = list(listing.spaces.order_by("label", "id"))
    space_id, space_error = None, ""
    if request.GET.get("space"):
        wanted = request.GET["space"].strip()
        space_id = next((space.pk for space in spaces if str(space.pk) == wanted), None)
        if space_id is None:
            space_error = "There is no such space in this listing. Showing all spaces."
    weeks_of_dates = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_start, grid_end = weeks_of_dates[0][0], weeks_of_dates[-1][-1]
    since = datetime.combine(grid_start, datetime.min.time(), tzinfo=zone)
    until = datetime.combine(grid_end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    bookings = (
        Booking.objects.filter(listing=listing, start_datetime__lt=until, end_datetime__gt=since)
        .select_related("guest", "space", "listing")
        .order_by("start_datetime", "id")
    )
    if space_id is not None:
        bookings = bookings.filter(space_id=space_id)
    bookings = list(bookings)

    days = {
        day: CalendarDay(day=day, in_month=day.month == first.month, is_today=day == today)
        for week in weeks_of_dates
        for day in week
    }
    for booking in bookings:
        begins, finishes = _local_dates(booking, zone)
        starts = format_date(booking.start_datetime.astimezone(zone), "g:i A")
        ends = format_date(booking.end_datetime.astimezone(zone), "g:i A")
        day = max(begins, grid_start)
        while day <= min(finishes, grid_end):
            part = _part(day, begins, finishes)
            days[day].entries.append(CalendarEntry(booking=booking, part=part, starts=starts, ends=ends))
            day += timedelta(days=1)

    next_month = _shift(first, 1)
    in_month = []  # the month's bookings as a list under the grid: the whole story on a phone or a screen reader
    for booking in bookings:
        begins, finishes = _local_dates(booking, zone)
        if finishes >= first and begins < next_month:
            booking.window = local_window(booking)
            in_month.append(booking)
    context = {
        "listing": listing,
        "weeks": [[days[day] for day in week] for week in weeks_of_dates],
        "weekdays": [(month_calendar.day_name[n], month_calendar.day_abbr[n]) for n in range(7)],
        "month": first,
        "previous_month": _shift(first, -1),
        "next_month": next_month,
        "this_month": today.replace(day=1),
        "spaces": spaces,
        "space_id": space_id,
        "show_spaces": len(spaces) > 1,
        "agenda": in_month,
        "errors": [error for error in (month_error, space_error) if error],
        "statuses": Status.choices,
        "calendar_listings": _calendar_listings(request.user),
    }
    return render(request, "bookings/host/calendar.html", context, status=400 if context["errors"] else 200)
