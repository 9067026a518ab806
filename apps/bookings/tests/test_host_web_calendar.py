"""A listing's month calendar for its host: bookings on their local days, statuses in words and colours, by space,
month by month, a friendly word for a bad month, and nobody else's listing."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from apps.bookings.tests.factories import BookingFactory
from apps.listings.tests.factories import AUSTIN, ListingFactory, point
from apps.users.tests.factories import HostFactory, UserFactory

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local(day: int, hour: int, month: int = 3) -> datetime:
    return datetime.combine(date(2026, month, day), time(hour), tzinfo=CHICAGO)


def calendar_url(listing, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("host_calendar", args=[listing.pk]) + (f"?{query}" if query else "")


def cell(body: str, day: int) -> str:
    """The month's day cell `day`, its tag included (the neighbouring months' cells are marked `outside`)."""
    cells = re.findall(r'<td class="(?!outside)[^"]*"[^>]*>.*?</td>', body, re.S)
    return next(c for c in cells if re.search(rf'class="visually-hidden">\w+day </span>{day}<', c))


@pytest.fixture
def host_listing():
    host = HostFactory()
    return ListingFactory(host=host, location=point(*AUSTIN), title="Garage by the river", spaces_available=2)


@freeze_time("2026-03-02 12:00:00")
def test_bookings_appear_on_their_local_days_with_their_status_in_words(host_listing):
    first, second = host_listing.spaces.order_by("label")
    BookingFactory(listing=host_listing, space=first, start_datetime=local(5, 9), end_datetime=local(5, 11))
    BookingFactory(listing=host_listing, space=second, start_datetime=local(5, 22), end_datetime=local(7, 8))
    BookingFactory(
        listing=host_listing, space=first, pending=True, start_datetime=local(6, 14), end_datetime=local(6, 16)
    )
    # 22:00-23:00 in Chicago on the 10th is already the 11th in UTC: shown on the 10th.
    BookingFactory(
        listing=host_listing, space=first, cancelled=True, start_datetime=local(10, 22), end_datetime=local(10, 23)
    )

    response = browser(host_listing.host).get(calendar_url(host_listing, month="2026-03"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<caption>Bookings in March 2026 · times in America/Chicago</caption>" in body
    assert body.count('<th scope="col">') == 7 and '<abbr title="Monday">Mon</abbr>' in body
    assert "9:00 AM\u201311:00 AM" in cell(body, 5) and "Confirmed" in cell(body, 5)
    assert "from 10:00 PM" in cell(body, 5) and "all day" in cell(body, 6) and "until 8:00 AM" in cell(body, 7)
    assert "Pending host approval" in cell(body, 6)
    assert "Cancelled" in cell(body, 10) and "Cancelled" not in cell(body, 11)
    assert "· space 1" in cell(body, 5) and "· space 2" in cell(body, 5)  # two spaces: each booking says which
    assert 'aria-current="date"' in cell(body, 2) and 'aria-current="date"' not in cell(body, 3)
    assert body.count('class="card agenda-row"') == 4  # the month's list under the grid


@freeze_time("2026-03-02 12:00:00")
def test_months_are_navigable_and_one_space_can_be_shown_alone(host_listing):
    first, second = host_listing.spaces.order_by("label")
    BookingFactory(listing=host_listing, space=first, start_datetime=local(3, 9, 4), end_datetime=local(3, 10, 4))
    BookingFactory(listing=host_listing, space=second, start_datetime=local(4, 9, 4), end_datetime=local(4, 10, 4))
    client = browser(host_listing.host)

    march = client.get(calendar_url(host_listing)).content.decode()
    assert "March 2026" in march and "?month=2026-04" in march and "?month=2026-02" in march
    april = client.get(calendar_url(host_listing, month="2026-04")).content.decode()
    assert april.count('class="card agenda-row"') == 2
    only_b = client.get(calendar_url(host_listing, month="2026-04", space=second.pk)).content.decode()
    assert only_b.count('class="card agenda-row"') == 1 and f'value="{second.pk}" selected' in only_b
    assert f"?month=2026-05&amp;space={second.pk}" in only_b


@pytest.mark.parametrize("month", ["2026-13", "March", "2026-3", "0001-01", "2026-03-01"])
def test_a_malformed_month_gets_a_friendly_message_and_this_month(host_listing, month):
    with freeze_time("2026-03-02 12:00:00"):
        response = browser(host_listing.host).get(calendar_url(host_listing, month=month))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and "Choose a month like 2026-11" in body and "March 2026" in body


def test_an_unknown_space_is_explained_and_all_spaces_are_shown(host_listing):
    response = browser(host_listing.host).get(calendar_url(host_listing, space="999999"))
    assert response.status_code == 400 and "no such space" in response.content.decode()


def test_somebody_elses_listing_has_no_calendar_for_you(host_listing):
    for outsider in (HostFactory(), UserFactory()):
        assert browser(outsider).get(calendar_url(host_listing)).status_code == 404
    assert browser(host_listing.host).get(reverse("host_calendar", args=[999_999])).status_code == 404
    assert Client().get(calendar_url(host_listing)).status_code == 302


def test_the_listing_picker_goes_to_the_calendar_or_back_with_a_word():
    listing = ListingFactory()
    client = browser(listing.host)
    picked = client.get(reverse("host_calendar_pick") + f"?listing={listing.pk}")
    assert picked.status_code == 302 and picked["Location"] == reverse("host_calendar", args=[listing.pk])
    lost = client.get(reverse("host_calendar_pick") + "?listing=abc", follow=True)
    assert "Choose one of your listings" in lost.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@freeze_time("2026-03-02 12:00:00")
def test_the_calendar_runs_a_fixed_number_of_queries_however_many_bookings(host_listing):
    first, second = host_listing.spaces.order_by("label")
    BookingFactory(listing=host_listing, space=first, start_datetime=local(3, 9), end_datetime=local(3, 10))
    client = browser(host_listing.host)
    url = calendar_url(host_listing, month="2026-03")
    few = _queries(client, url)
    for day in range(4, 20):
        space = first if day % 2 else second
        BookingFactory(listing=host_listing, space=space, start_datetime=local(day, 9), end_datetime=local(day, 12))
    assert _queries(client, url) == few <= 12
