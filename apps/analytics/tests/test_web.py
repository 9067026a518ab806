"""The host's dashboard page: five server-drawn charts with their numbers in a table, per day or per week, for one
listing or all, a friendly answer to bad parameters, and nobody else's listing."""

import re
from datetime import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from apps.analytics.tests.history import MONDAY, SATURDAY, SUNDAY, book, listing_of, local, searched, viewed
from apps.users.tests.factories import HostFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("host_dashboard")


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def host():
    host = HostFactory()
    listing = listing_of(host, title="Alley garage", available_start_time=time(8), available_end_time=time(18))
    book(listing, local(SATURDAY, 8), local(SATURDAY, 13))
    viewed(listing, local(SATURDAY, 9))
    viewed(listing, local(SUNDAY, 9))
    searched([listing.pk], local(SUNDAY, 10))
    listing_of(host, title="Bay driveway")
    return host


def test_the_dashboard_draws_five_accessible_charts_with_the_totals_and_a_table(host):
    response = browser(host).get(URL, {"from": "2026-03-07", "to": "2026-03-09"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 5
    assert body.count('role="img"') == 5
    for title in ("Views per day", "Shown in searches per day", "Bookings made per day", "Occupancy per day"):
        assert f'-title">{title}</title>' in body
    assert '<desc id="chart-views-desc">Views per day from Mar 7, 2026 to Mar 9, 2026: 2 in all.' in body
    assert "The highest was 15%, on Mar 7, 2026." in body  # 5 of the 10 + 24 open hours of the two listings
    assert re.search(r'<th scope="row">Sat, Mar 7</th>\s*<td class="number">1</td>', body)
    assert body.count('<th scope="row">') == 4  # three days and the total
    assert "days in America/Chicago" in body and 'value="2026-03-07"' in body
    assert 'aria-current="true">Per day</a>' in body
    assert body.count('<option value="') == 3  # all listings, and each of the two


def test_weeks_group_the_days_from_monday(host):
    body = browser(host).get(URL, {"from": "2026-03-07", "to": "2026-03-09", "period": "week"}).content.decode()
    assert "Views per week" in body and body.count('<th scope="row">') == 3  # two (cut) weeks and the total
    assert 'aria-current="true">Per week</a>' in body and "Week of Mar 9: 0" in body


def test_one_listing_is_shown_alone_and_somebody_elses_is_not_found(host):
    alley = host.listings.get(title="Alley garage")
    body = browser(host).get(URL, {"from": "2026-03-07", "to": "2026-03-09", "listing": alley.pk}).content.decode()
    assert f'<option value="{alley.pk}" selected>Alley garage</option>' in body
    assert "The highest was 50%, on Mar 7, 2026." in body  # 5 of its 10 open hours
    stranger_listing = listing_of(HostFactory())
    assert browser(host).get(URL, {"listing": stranger_listing.pk}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "yesterday"}, "from", "Enter a valid date."),
        ({"to": "2026-02-30"}, "to", "Enter a valid date."),
        ({"from": "2026-03-09", "to": "2026-03-07"}, "to", "The end date must not be before the start date."),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "from", "Choose at most 366 days at a time."),
        ({"listing": "abc"}, "listing", "Enter a whole number."),
        ({"period": "month"}, "period", "Show the figures per day or per week."),
    ],
)
def test_bad_parameters_are_explained_next_to_their_field_keeping_what_was_typed(host, params, field, message):
    response = browser(host).get(URL, params)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    if field != "period":  # a hidden field: its error is shown at the top of the form
        assert f'<p class="error" id="id_{field}_error">{message}</p>' in body
    if field in ("from", "to"):
        assert f'value="{params[field]}"' in body
    assert "<svg" not in body


@freeze_time("2026-03-09 20:00:00")
def test_without_parameters_it_shows_the_last_thirty_days_per_day(host):
    body = browser(host).get(URL).content.decode()
    assert "Feb 8, 2026 \u2013 Mar 9, 2026" in body and body.count('<th scope="row">') == 31
    assert 'aria-current="true">Last 30 days</a>' in body


def test_a_longer_range_is_shown_per_week_unless_days_are_asked_for(host):
    body = browser(host).get(URL, {"from": "2026-01-01", "to": "2026-03-31"}).content.decode()
    assert "Views per week" in body
    body = browser(host).get(URL, {"from": "2026-01-01", "to": "2026-03-31", "period": "day"}).content.decode()
    assert "Views per day" in body


def test_someone_without_listings_is_invited_to_list_a_space():
    for person in (UserFactory(), HostFactory()):
        body = browser(person).get(URL).content.decode()
        assert "Your dashboard fills in once you list a space" in body and "<svg" not in body
    assert Client().get(URL).status_code == 302


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"from": "2026-01-01", "to": "2026-06-30"}).status_code == 200
    return len(queries)


def test_the_page_runs_a_fixed_number_of_queries_however_much_there_is_to_count(host):
    client = browser(host)
    few = _queries(client)
    for hour in range(8, 14):
        listing = listing_of(host, spaces_available=2)
        book(listing, local(MONDAY, hour), local(MONDAY, hour + 1))
        viewed(listing, local(MONDAY, hour))
        searched([listing.pk], local(MONDAY, hour))
    assert _queries(client) == few <= 18
