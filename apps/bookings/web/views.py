"""A guest's booking pages: book a space (window, price, vehicle, card), the booking with its parking pass, cancel
with the refund shown first, check in and out, and the list of one's bookings.

Thin, like the API: the same booking services and selectors; times are typed and shown in the listing's time zone.
"""

import uuid
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.bookings import availability, pricing, selectors, services
from apps.bookings.errors import WindowUnavailable
from apps.bookings.models import Booking
from apps.bookings.payments_port import CheckoutChoices, checkout
from apps.bookings.vehicles import US_STATES
from apps.core.errors import DomainError, NotFound, PaymentRequired
from apps.core.web.forms import add_domain_error
from apps.listings.selectors import public_listing

Status = Booking.Status
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
# The service's names for what it refuses, and the fields of the booking page that hold them.
SERVICE_ATTRS = {
    "vehicle.make": "make",
    "vehicle.model": "model",
    "vehicle.color": "color",
    "vehicle.license_plate": "license_plate",
    "vehicle.state": "state",
    "start_datetime": "start",
    "end_datetime": "end",
}
BOOKINGS_PER_PAGE = 20


def _datetime_local() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class WindowForm(forms.Form):
    """Arrival and departure as local times of the listing: validate it inside `timezone.override(listing zone)`."""

    start = forms.DateTimeField(
        label="Arrive", input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"], widget=_datetime_local()
    )
    end = forms.DateTimeField(
        label="Leave", input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"], widget=_datetime_local()
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", "Leave after you arrive.")
        return cleaned


class BookingForm(forms.Form):
    make = forms.CharField(label="Make", max_length=50, widget=forms.TextInput(attrs={"placeholder": "Toyota"}))
    model = forms.CharField(label="Model", max_length=50, widget=forms.TextInput(attrs={"placeholder": "Corolla"}))
    color = forms.CharField(label="Color", max_length=30, widget=forms.TextInput(attrs={"placeholder": "Silver"}))
    license_plate = forms.CharField(
        label="License plate",
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    state = forms.ChoiceField(
        label="Plate state", choices=[("", "Choose…"), *((code, code) for code in sorted(US_STATES))]
    )
    payment_method = forms.ChoiceField(label="Pay with", widget=forms.RadioSelect)
    guest_notes = forms.CharField(
        label="Notes for the host (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Arriving late? Anything the host should know?"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, choices: CheckoutChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = [
            (choice.value, choice.label) for choice in (*choices.saved_cards, *choices.test_cards)
        ]
        self.fields["payment_method"].error_messages["required"] = "Choose how to pay."


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_refund = forms.DecimalField(widget=forms.HiddenInput, max_digits=10, decimal_places=2)


class PhotoForm(forms.Form):
    photo = forms.ImageField(label="Photo of the parked car (optional)", required=False)


# --- Booking a space ------------------------------------------------------------------------------------------------


def _listing_or_refusal(request):
    """The listing of `?listing=`, or the page that says what is wrong with the link."""
    raw = request.GET.get("listing", "").strip()
    if not raw.isdigit():
        context = {"title": "Choose a space first", "detail": "This booking link does not name a space."}
        return None, render(request, "bookings/unavailable.html", context, status=400)
    try:
        return public_listing(int(raw)), None
    except NotFound:
        context = {"title": "This space is not available", "detail": "It may have been removed or paused by its host."}
        return None, render(request, "bookings/unavailable.html", context, status=404)


def _quote(listing, window: WindowForm) -> tuple[pricing.Quote | None, str]:
    """Check and price the window like GET /listings/{id}/quote; a refusal goes next to its field or is returned."""
    with timezone.override(ZoneInfo(listing.time_zone)):
        if not window.is_valid():
            return None, ""
    start, end = window.cleaned_data["start"], window.cleaned_data["end"]
    if start < timezone.now() - services.PAST_TOLERANCE:
        window.add_error("start", "Choose a time in the future.")
        return None, ""
    try:
        return selectors.quote_window(listing, start, end), ""
    except availability.Unavailable as refusal:
        if refusal.attr in window.fields:
            window.add_error(refusal.attr, refusal.detail)
            return None, ""
        return None, refusal.detail
    except pricing.NotPriceable as refusal:
        return None, str(refusal)


def _initial(request, choices: CheckoutChoices) -> dict:
    vehicle = selectors.last_vehicle_of(request.user) or {}
    default = next((c.value for c in choices.saved_cards if c.is_default), None)
    options = [*choices.saved_cards, *choices.test_cards]
    return {
        "make": vehicle.get("vehicle_make", ""),
        "model": vehicle.get("vehicle_model", ""),
        "color": vehicle.get("vehicle_color", ""),
        "license_plate": vehicle.get("vehicle_license_plate", ""),
        "state": vehicle.get("vehicle_state", ""),
        "payment_method": default or (options[0].value if options else None),
        "idempotency_key": uuid.uuid4().hex,
    }


def _expected_total(request) -> Decimal | None:
    try:
        return Decimal(request.POST.get("expected_total", ""))
    except InvalidOperation:
        return None


def _signed_in_user(request):
    """The user object behind `request.user`'s lazy wrapper: the payments side writes through `type(user)`."""
    user = request.user
    return getattr(user, "_wrapped", user)


def _book(request, listing, window: WindowForm, form: BookingForm) -> Booking:
    arguments = {
        "guest": _signed_in_user(request),
        "listing_id": listing.pk,
        "start_datetime": window.cleaned_data["start"],
        "end_datetime": window.cleaned_data["end"],
        "vehicle": {
            "make": form.cleaned_data["make"],
            "model": form.cleaned_data["model"],
            "color": form.cleaned_data["color"],
            "license_plate": form.cleaned_data["license_plate"],
            "state": form.cleaned_data["state"],
        },
        "payment_method": form.cleaned_data["payment_method"],
        "guest_notes": form.cleaned_data["guest_notes"],
        "idempotency_key": form.cleaned_data["idempotency_key"],
    }
    try:
        return services.create_booking(**arguments)
    except WindowUnavailable:
        # Two copies of one submission (a double click) queue on the listing's lock and the second finds the space
        # taken by the first. Asked again with the same key, the service answers with the booking the key made.
        return services.create_booking(**arguments)


def _submit(
    request, listing, window: WindowForm, quote, choices: CheckoutChoices
) -> tuple[Booking | None, BookingForm, int]:
    """Book what the form says, or say why not: the form (with its errors) and the answer's status."""
    form = BookingForm(request.POST, choices=choices)
    if not request.user.is_email_verified:
        return None, form, 403
    if not (form.is_valid() and window.is_valid()):
        return None, form, 400
    # Without a quote the window is taken or closed: the service still answers, with the booking this very form made
    # a moment ago (a double click) or with the reason.
    if quote is not None and _expected_total(request) != quote.total_amount:
        form.add_error(None, f"The price for this window is ${quote.total_amount}. Check it and book again.")
        return None, form, 400
    try:
        return _book(request, listing, window, form), form, 302
    except PaymentRequired as error:
        form.add_error("payment_method", f"{error.detail} Nothing was charged; try another card.")
        return None, form, 402
    except DomainError as error:
        error.attr = SERVICE_ATTRS.get(error.attr or "", error.attr)
        if error.attr in window.fields:
            window.add_error(error.attr, error.detail)
        else:
            add_domain_error(form, error)
        return None, form, error.status_code


@login_required
def new(request):
    """GET shows the window, its price, the remembered vehicle and the ways to pay; POST books (`update` only
    re-prices the window and keeps what was typed)."""
    listing, refusal_page = _listing_or_refusal(request)
    if refusal_page is not None:
        return refusal_page
    choices = checkout().choices_for(guest=request.user)
    window = WindowForm(request.POST if request.method == "POST" else request.GET)
    quote, refusal = _quote(listing, window)
    status = 200
    if request.method == "POST" and "update" not in request.POST:
        booking, form, status = _submit(request, listing, window, quote, choices)
        if booking is not None:
            if booking.status == Status.CONFIRMED:
                messages.success(request, "You're booked! Show this pass at the space.")
            else:
                messages.success(
                    request, "Request sent. The host answers within 24 hours; your card is only charged if they accept."
                )
            return redirect("booking_detail", booking_code=booking.booking_code)
        # Nothing was booked: the next submission is a new attempt (a declined card must not replay at the provider).
        form.data = form.data.copy()
        form.data["idempotency_key"] = uuid.uuid4().hex
    elif request.method == "POST":
        form = BookingForm(initial=request.POST.dict(), choices=choices)
    else:
        form = BookingForm(initial=_initial(request, choices), choices=choices)
    context = {
        "listing": listing,
        "window": window,
        "form": form,
        "quote": quote,
        "refusal": refusal,
        "choices": choices,
        "is_own_listing": listing.host_id == request.user.pk,
        "policy": _policy_terms(listing.cancellation_policy),
        "photo": next(iter(listing.photos.all()), None),
    }
    return render(request, "bookings/new.html", context, status=status)


def quote_fragment(request):
    """The price panel for the window being typed (htmx, on each change of the arrival or departure)."""
    listing, refusal_page = _listing_or_refusal(request)
    if refusal_page is not None:
        return refusal_page
    window = WindowForm(request.GET)
    quote, refusal = _quote(listing, window)
    if quote is None and not refusal:
        refusal = " ".join(error for errors in window.errors.values() for error in errors)
    context = {"listing": listing, "quote": quote, "refusal": refusal, "oob": True}
    return render(request, "bookings/_quote.html", context, status=200 if quote else 422)


def _policy_terms(policy: str) -> list[str]:
    """The listing's cancellation policy in words, from the pricing module's table."""
    steps = pricing.CANCELLATION_POLICIES.get(policy, pricing.CANCELLATION_POLICIES["MODERATE"])
    terms, previous = [], None
    for notice, share in steps:
        refund = "full refund" if share == 1 else f"{share * 100:.0f} % refund"
        if previous is None:
            terms.append(f"At least {_duration(notice)} before the start: {refund}.")
        elif notice:
            terms.append(f"Less than {_duration(previous)} but at least {_duration(notice)} before: {refund}.")
        else:
            terms.append(f"Less than {_duration(previous)} before the start: {refund}.")
        previous = notice
    terms.append(f"Less than {_duration(previous)} before: no refund." if previous else "After the start: no refund.")
    return terms


def _duration(delta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    return f"{hours} hour{'s' if hours != 1 else ''}"


# --- One booking ----------------------------------------------------------------------------------------------------


def _pass_svg(booking: Booking) -> str:
    """The parking pass: a QR code of the booking's address (a host's phone camera opens the booking), as inline
    SVG scaled by CSS, black on white with the quiet zone scanners need."""
    url = settings.SITE_URL.rstrip("/") + reverse("booking_detail", args=[booking.booking_code])
    code = segno.make(url, error="m")
    return code.svg_inline(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="qr",
        title=f"QR code of booking {str(booking.booking_code)[:8].upper()}",
    )


@login_required
def detail(request, booking_code):
    booking = selectors.booking_for_party(booking_code, request.user)
    is_guest = booking.guest_id == request.user.pk
    now = timezone.now()
    check_in_opens_at = booking.start_datetime - services.CHECK_IN_EARLY
    context = {
        "booking": booking,
        "listing": booking.listing,
        "is_guest": is_guest,
        "is_host": booking.listing.host_id == request.user.pk,
        "show_access": selectors.can_see_access_details(booking, request.user),
        "access_opens_at": booking.start_datetime - selectors.ACCESS_OPENS_BEFORE_START,
        "qr_svg": _pass_svg(booking) if booking.status in Booking.ACTIVE_STATUSES else "",
        "can_cancel": booking.status in (Status.PENDING, Status.CONFIRMED),
        "check_in_opens_at": check_in_opens_at,
        "can_check_in": is_guest
        and booking.status == Status.CONFIRMED
        and check_in_opens_at <= now < booking.end_datetime,
        "check_in_missed": now >= booking.end_datetime,
        "can_check_out": is_guest and booking.status == Status.IN_PROGRESS,
        "can_review": booking.status == Status.COMPLETED,
        "expires_at": booking.created_at + services.PENDING_LIFETIME,
        "photo_form": PhotoForm(),
        "message_url": reverse("conversation_start") + f"?booking={booking.booking_code}",
        "photo": next(iter(booking.listing.photos.all()), None),
    }
    return render(request, "bookings/detail.html", context)


@login_required
def cancel(request, booking_code):
    """A confirmation page showing what cancelling now refunds (by the listing's policy), then the cancellation."""
    booking = selectors.booking_for_party(booking_code, request.user)
    if booking.status not in (Status.PENDING, Status.CONFIRMED):
        messages.error(request, f"A {booking.get_status_display().lower()} booking cannot be cancelled.")
        return redirect("booking_detail", booking_code=booking.booking_code)
    refund = services.cancellation_terms(booking, actor=request.user)
    form = CancelForm(request.POST or None, initial={"expected_refund": refund})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["expected_refund"] != refund:
            form = CancelForm(initial={"expected_refund": refund, "reason": form.cleaned_data["reason"]})
            messages.error(request, f"The refund has changed since you opened this page: it is now ${refund}.")
        else:
            try:
                booking = services.cancel_booking(
                    booking=booking, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                messages.error(request, error.detail)
            else:
                if booking.refund_amount:
                    messages.success(
                        request, f"Cancelled. ${booking.refund_amount} goes back to the card you paid with."
                    )
                else:
                    messages.success(request, "Cancelled.")
                return redirect("booking_detail", booking_code=booking.booking_code)
    context = {
        "booking": booking,
        "listing": booking.listing,
        "refund": refund,
        "form": form,
        "by_host": booking.listing.host_id == request.user.pk,
        "policy": _policy_terms(booking.cancellation_policy or booking.listing.cancellation_policy),
    }
    return render(request, "bookings/cancel.html", context, status=400 if form.errors else 200)


def _at_the_space(request, booking_code, change, done: str):
    booking = selectors.booking_for_party(booking_code, request.user)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            change(booking=booking, actor=request.user, photo=form.cleaned_data["photo"])
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, done)
    return redirect("booking_detail", booking_code=booking.booking_code)


@login_required
@require_POST
def check_in(request, booking_code):
    return _at_the_space(request, booking_code, services.check_in, "Checked in. Enjoy your stay!")


@login_required
@require_POST
def check_out(request, booking_code):
    return _at_the_space(request, booking_code, services.check_out, "Checked out. Thanks for parking with us!")


# --- My bookings ----------------------------------------------------------------------------------------------------

TAB_LABELS = {"upcoming": "Upcoming", "past": "Past", "cancelled": "Cancelled"}


@login_required
def my_bookings(request):
    tab = request.GET.get("tab", "upcoming")
    if tab not in selectors.GUEST_TABS:
        tab = "upcoming"
    page = Paginator(selectors.guest_bookings(request.user, tab=tab), BOOKINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "tab": tab,
        "tabs": [(name, TAB_LABELS[name]) for name in selectors.GUEST_TABS],
        "page": page,
        "bookings": list(page.object_list),
        "cancellable": (Status.PENDING, Status.CONFIRMED),
    }
    return render(request, "bookings/my_bookings.html", context)
