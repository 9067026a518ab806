"""Seekers' pages: the home search, the search page (a list and a map, swapped by htmx as filters change or the map
moves) and a listing's public page (gallery, reviews, a month calendar and the live price of a window).

Reads go through the same selectors as `GET /api/v1/listings`, `/listings/{id}` and `/listings/{id}/quote`."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from apps.bookings import selectors as booking_selectors
from apps.bookings.availability import Unavailable
from apps.bookings.pricing import NotPriceable, Quote
from apps.core.money import format_money
from apps.listings.models import Listing
from apps.listings.selectors import visible_listing
from apps.listings.signals import listing_viewed
from apps.reviews.selectors import published_listing_reviews
from apps.search.selectors import (
    Hit,
    MonthCalendar,
    SearchResult,
    month_calendar,
    review_aspects,
    search_listings,
)
from apps.search.signals import listings_searched
from apps.search.web.forms import (
    DEFAULT_RADIUS,
    LOCAL_FORMAT,
    METRES_PER_MILE,
    SearchForm,
    WindowForm,
    aware_to_local_text,
    feature_label,
)
from apps.search.web.places import box_around

PAGE_SIZE = 20
MAX_PAGE = 500
REVIEWS_SHOWN = 10
CALENDAR_MONTHS_AHEAD = 12
US_VIEW = (-125.0, 24.0, -66.0, 50.0)  # west, south, east, north: where to look before a place is chosen
FIELD_NAMES = ("where", "start", "end", "radius", "vehicle_size", "spot_type", "features", "price_max")
FIELD_NAMES += ("instant_booking", "min_rating", "q", "sort")
KEPT_WHEN_CLEARING = ("where", "lat", "lng", "start", "end")
POPULAR_PLACES = [
    ("Austin", "78701"),
    ("Denver", "80202"),
    ("Chicago", "60601"),
    ("Seattle", "98101"),
    ("New York", "10001"),
    ("San Francisco", "94103"),
]
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN_DASH, TIMES = "\u2013", "\u00d7"
CLOCK = "%-I:%M %p"
DAY_AND_CLOCK = "%a %b %-d, %-I:%M %p"


def _money(amount: Decimal, currency: str) -> str:
    text = format_money(amount, currency)
    return text[:-3] if text.endswith(".00") else text


def _map_config() -> dict:
    return {"tiles": settings.MAP_TILES_URL, "attribution": "&copy; OpenStreetMap contributors"}


# --- Home and search ------------------------------------------------------------------------------------------------


def home(request):
    return render(request, "home.html", {"form": SearchForm(), "popular": POPULAR_PLACES})


@dataclass
class Card:
    """One search result as the list and the map show it."""

    listing: Listing
    distance_miles: float | None
    quote: Quote | None
    url: str

    @property
    def photo(self):
        photos = self.listing.photos.all()  # prefetched by the selector
        return photos[0] if photos else None

    @property
    def price_label(self) -> str:
        """What the map marker says: the stay's total with a window, else the hourly (or daily) rate."""
        listing = self.listing
        if self.quote is not None:
            return _money(self.quote.total_amount, self.quote.currency)
        if listing.price_per_hour:
            return _money(listing.price_per_hour, listing.currency) + "/h"
        return _money(listing.price_per_day, listing.currency) + "/day"

    @property
    def rates(self) -> str:
        listing = self.listing
        parts = []
        if listing.price_per_hour:
            parts.append(_money(listing.price_per_hour, listing.currency) + "/hour")
        parts.append(_money(listing.price_per_day, listing.currency) + "/day")
        return " · ".join(parts)

    @property
    def features(self) -> list[str]:
        return [feature_label(feature) for feature in self.listing.features]

    def marker(self) -> dict:
        return {
            "id": self.listing.pk,
            "lat": round(self.listing.location.y, 6),
            "lng": round(self.listing.location.x, 6),
            "label": self.price_label,
            "title": self.listing.title,
            "url": self.url,
        }


def _card(hit: Hit) -> Card:
    listing = hit.listing
    url = reverse("listing_detail", args=[listing.pk])
    if hit.quote is not None:
        window = {
            "start": aware_to_local_text(hit.quote.start, listing.time_zone),
            "end": aware_to_local_text(hit.quote.end, listing.time_zone),
        }
        url += "?" + urlencode(window)
    miles = hit.distance_m / METRES_PER_MILE if hit.distance_m is not None else None
    return Card(listing=listing, distance_miles=miles, quote=hit.quote, url=url)


def _page_number(value: str | None) -> int:
    """A page number from the URL; anything odd is the first page (a page is not worth an error)."""
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def search(request):
    """The search page; for htmx (a filter changed, the map moved, another page) just the results fragment."""
    form = SearchForm(request.GET)
    page = _page_number(request.GET.get("page"))
    place = params = result = None
    if form.is_valid():
        place = form.place()
        if place is not None:
            params = form.search_params(place)
    if params is not None:
        result = search_listings(params, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        last_page = max((result.count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        if page > last_page:
            page = last_page
            result = search_listings(params, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        listings_searched.send(
            sender=search,
            params=params,
            result_ids=[hit.listing.pk for hit in result.hits],
            count=result.count,
            request=request,
        )
    context = _results_context(form, place, params, result, page)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "search/_results.html" if fragment else "search/search.html"
    status = 200
    if form.errors:
        status = 422 if fragment else 400
    response = render(request, template, context, status=status)
    if fragment and status == 200:
        from_map = request.headers.get("X-Search-Origin") == "map"
        response["HX-Replace-Url" if from_map else "HX-Push-Url"] = context["canonical_url"]
    return response


def _results_context(form: SearchForm, place, params, result: SearchResult | None, page: int) -> dict:
    cards = [_card(hit) for hit in result.hits] if result else []
    has_errors = bool(form.errors)
    query = [] if has_errors else form.canonical_query()
    canonical_url = _page_url(query, page)
    count = result.count if result else 0
    last_page = max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    window_text = None
    if params is not None and params.has_window:
        window_text = _window_text(params.start, params.end, place.time_zone)
    return {
        "form": form,
        "place": place,
        "params": params,
        "cards": cards,
        "count": count,
        "capped": bool(result and result.capped),  # "500+ spaces": the window search looked no further
        "page": page,
        "last_page": last_page,
        "previous_url": _page_url(query, page - 1) if page > 1 else None,
        "next_url": _page_url(query, page + 1) if page < last_page else None,
        "clear_url": _page_url([pair for pair in query if pair[0] in KEPT_WHEN_CLEARING], 1),
        "window_text": window_text,
        "popular": POPULAR_PLACES,
        "field_errors": [(name, form.errors.get(name, [])) for name in FIELD_NAMES],
        "form_errors": form.non_field_errors(),
        "filter_count": 0 if has_errors else form.active_filter_count(),
        "canonical_url": canonical_url,
        "map_config": _map_config(),
        "map_data": {
            "markers": [card.marker() for card in cards],
            # A search with mistakes leaves the map where it is.
            "frame": None if has_errors else [round(value, 5) for value in _map_frame(form, place, params)],
            "from_map": bool(params is not None and params.within is not None),
            "canonical": None if has_errors else canonical_url,
            "centre": [round(place.point.x, 6), round(place.point.y, 6)] if place else None,
        },
    }


def _map_frame(form: SearchForm, place, params) -> tuple[float, float, float, float]:
    """What the map shows: the area searched (the map's own box, or the circle around the place)."""
    if params is not None and params.within is not None:
        return params.within.extent
    if place is not None:
        radius_miles = float(form.cleaned_data.get("radius") or DEFAULT_RADIUS)
        return box_around(place.point, radius_miles * METRES_PER_MILE)
    return US_VIEW


def _page_url(query: list[tuple[str, str]], page: int) -> str:
    pairs = [*query, ("page", str(page))] if page > 1 else query
    return reverse("search") + ("?" + urlencode(pairs) if pairs else "")


def _window_text(start: datetime, end: datetime, time_zone: str) -> str:
    zone = ZoneInfo(time_zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    last = local_end.strftime(CLOCK if local_start.date() == local_end.date() else DAY_AND_CLOCK)
    return f"{local_start.strftime(DAY_AND_CLOCK)} {EN_DASH} {last}"


# --- A listing's page -----------------------------------------------------------------------------------------------


def booking_url(listing: Listing, start: datetime, end: datetime) -> str:
    """The booking page for this window, in the listing's local time."""
    base = reverse("booking_new")
    query = {
        "listing": listing.pk,
        "start": aware_to_local_text(start, listing.time_zone),
        "end": aware_to_local_text(end, listing.time_zone),
    }
    return base + "?" + urlencode(query)


def _quote_context(listing: Listing, form: WindowForm) -> dict:
    """The price of the form's window as the quote API computes it, or why it can't be booked (and the HTTP status
    the API would answer: 400 bad input, 409 not bookable)."""
    if not form.is_valid():
        return {"quote_state": "invalid", "quote_status": 400}
    start, end = form.aware_window(listing.time_zone)
    if start is None:
        return {"quote_state": "invalid", "quote_status": 400}
    try:
        quote = booking_selectors.quote_window(listing, start, end)
    except Unavailable as refusal:
        return {"quote_state": "unavailable", "quote_status": 409, "refusal": refusal.detail}
    except NotPriceable as refusal:
        return {"quote_state": "unavailable", "quote_status": 409, "refusal": str(refusal)}
    lines = [
        {
            "label": f"{line.count} {line.unit}{pluralize(line.count)}",
            "unit_price": f"{TIMES} {_money(line.unit_price, quote.currency)}",
            "amount": format_money(line.amount, quote.currency),
        }
        for line in quote.breakdown
    ]
    return {
        "quote_state": "ok",
        "quote_status": 200,
        "quote": quote,
        "quote_lines": lines,
        "quote_subtotal": format_money(quote.subtotal, quote.currency),
        "quote_fee": format_money(quote.service_fee, quote.currency),
        "quote_total": format_money(quote.total_amount, quote.currency),
        "quote_window": _window_text(quote.start, quote.end, listing.time_zone),
        "book_url": booking_url(listing, quote.start, quote.end),
    }


def _local_today(listing: Listing) -> date:
    return timezone.now().astimezone(ZoneInfo(listing.time_zone)).date()


def _months_ahead(listing: Listing, first_day: date) -> int:
    this_month = _local_today(listing).replace(day=1)
    return (first_day.year - this_month.year) * 12 + first_day.month - this_month.month


def _calendar_month(listing: Listing, value: str | date | None) -> date | None:
    """The first day of the month asked for (`YYYY-MM`, or a day in it), this month when not asked, None when it is
    malformed or outside this month to a year ahead."""
    if not value:
        return _local_today(listing).replace(day=1)
    if isinstance(value, date):
        first_day = value.replace(day=1)
    else:
        try:
            year, month = (int(part) for part in value.split("-"))
            first_day = date(year, month, 1)
        except ValueError:
            return None
    return first_day if 0 <= _months_ahead(listing, first_day) <= CALENDAR_MONTHS_AHEAD else None


def _calendar_context(listing: Listing, first_day: date) -> dict:
    calendar: MonthCalendar = month_calendar(listing, first_day, now=timezone.now())
    months_ahead = _months_ahead(listing, first_day)
    previous_month = (first_day - timedelta(days=1)).replace(day=1)
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    return {
        "calendar": calendar,
        "calendar_title": first_day.strftime("%B %Y"),
        "calendar_previous": previous_month.strftime("%Y-%m") if months_ahead > 0 else None,
        "calendar_next": next_month.strftime("%Y-%m") if months_ahead < CALENDAR_MONTHS_AHEAD else None,
        "day_names": DAY_NAMES,
    }


def opening_hours(listing: Listing) -> str:
    days = sorted(set(listing.available_days or range(7)))
    around_the_clock = listing.available_start_time.strftime("%H:%M") == "00:00" and (
        listing.available_end_time.strftime("%H:%M") >= "23:59"
    )
    start, end = listing.available_start_time.strftime(CLOCK), listing.available_end_time.strftime(CLOCK)
    hours = "around the clock" if around_the_clock else f"{start} {EN_DASH} {end}"
    if len(days) == 7:
        when = "Every day"
    elif days == list(range(5)):
        when = "Monday to Friday"
    elif days == [5, 6]:
        when = "Weekends"
    else:
        when = ", ".join(DAY_NAMES[day] for day in days)
    return f"{when}, {hours}"


def _rates(listing: Listing) -> list[tuple[str, str]]:
    prices = (
        ("hour", listing.price_per_hour),
        ("day", listing.price_per_day),
        ("week", listing.price_per_week),
        ("month", listing.price_per_month),
    )
    return [(unit, _money(price, listing.currency)) for unit, price in prices if price]


def listing_detail(request, pk: int):
    listing = visible_listing(pk, request.user)
    is_own = request.user.is_authenticated and listing.host_id == request.user.pk
    if not is_own:  # a host looking at their own listing is not a view
        listing_viewed.send(sender=listing_detail, listing_id=listing.pk, request=request)
    has_window = bool(request.GET.get("start") or request.GET.get("end"))
    window_form = WindowForm(request.GET if has_window else None)
    quote = _quote_context(listing, window_form) if has_window else {}
    # The calendar opens on the month asked for, else the month of the window, else this month.
    first_day = _calendar_month(listing, request.GET.get("month"))
    if "month" not in request.GET and quote.get("quote"):
        first_day = _calendar_month(listing, quote["quote"].start.astimezone(ZoneInfo(listing.time_zone)).date())
    first_day = first_day or _calendar_month(listing, None)
    reviews = list(published_listing_reviews(listing.pk)[:REVIEWS_SHOWN])
    context = {
        "listing": listing,
        "is_own": is_own,
        "photos": list(listing.photos.all()),
        "features": [feature_label(feature) for feature in listing.features],
        "opening_hours": opening_hours(listing),
        "reviews": reviews,
        "review_summary": review_aspects(listing.pk) if reviews else [],
        "rates": _rates(listing),
        "window_form": window_form,
        "message_url": reverse("conversation_start") + f"?listing={listing.pk}",
        "map_config": _map_config(),
        "map_data": {
            "lat": round(listing.location.y, 6),
            "lng": round(listing.location.x, 6),
            "title": listing.title,
        },
        **quote,
        **_calendar_context(listing, first_day),
    }
    return render(request, "search/listing_detail.html", context)


def listing_quote(request, pk: int):
    """The price breakdown fragment for `?start=&end=` (listing-local times): 400 bad input, 409 not bookable."""
    listing = visible_listing(pk, request.user)
    window_form = WindowForm(request.GET)
    quote = _quote_context(listing, window_form)
    is_own = request.user.is_authenticated and listing.host_id == request.user.pk
    context = {"listing": listing, "is_own": is_own, "window_form": window_form, **quote}
    response = render(request, "search/_quote.html", context, status=quote["quote_status"])
    if quote["quote_state"] != "invalid":  # a reload keeps the window
        window = window_form.cleaned_data
        query = urlencode({name: window[name].strftime(LOCAL_FORMAT) for name in ("start", "end")})
        response["HX-Replace-Url"] = reverse("listing_detail", args=[listing.pk]) + "?" + query
    return response


def listing_calendar(request, pk: int):
    """The month grid fragment for `?month=YYYY-MM` (this month to a year ahead)."""
    listing = visible_listing(pk, request.user)
    first_day = _calendar_month(listing, request.GET.get("month"))
    if first_day is None:
        context = {"listing": listing, "calendar_error": "Choose a month from now to a year ahead, like 2026-12."}
        return render(request, "search/_calendar.html", context, status=400)
    return render(request, "search/_calendar.html", {"listing": listing, **_calendar_context(listing, first_day)})
