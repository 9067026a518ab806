"""Step 5 of the listing editor: a month calendar of open, closed and differently priced days; a click on a day adds
a date exception; recurring rules are added, changed and removed; all through the listing services."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.bookings import availability
from apps.core.models import AuditLog
from apps.listings import selectors
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing
from apps.listings.tests.factories import AvailabilityExceptionFactory, AvailabilityRuleFactory, ListingFactory
from apps.users.tests.factories import HostFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def listing(client, db):
    listing = ListingFactory()
    client.force_login(listing.host)
    return listing


@pytest.fixture
def url(listing):
    return f"/host/listings/{listing.pk}/availability/"


@pytest.fixture
def next_month(listing) -> dt.date:
    """The first of next month where the listing is: every day of it is in the future."""
    today = selectors.listing_today(listing)
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def day_cell(html: str, day: dt.date) -> str:
    """The calendar cell of `day` (its <td> up to the next one)."""
    start = html.rindex("<td", 0, html.index(f'id="day-{day:%Y-%m-%d}"'))
    return html[start : html.index("</td>", start)]


# --- The calendar ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_calendar_shows_the_month_with_each_day_open_closed_or_overridden(client, listing, url, next_month):
    Listing.objects.filter(pk=listing.pk).update(available_days=[0, 1, 2, 3, 4])  # closed at weekends
    AvailabilityRuleFactory(
        listing=listing,
        rule_type="weekly",
        days_of_week=[2],
        start_date=next_month,
        start_time=dt.time(8),
        end_time=dt.time(12),
        price_override=Decimal("6.00"),
    )
    closed_day = next_month + dt.timedelta(days=(0 - next_month.weekday()) % 7)  # the first Monday
    AvailabilityExceptionFactory(listing=listing, exception_date=closed_day, reason="Family visit")

    response = client.get(url, {"month": f"{next_month:%Y-%m}"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"{next_month:%B %Y}" in html
    saturday = next_month + dt.timedelta(days=(5 - next_month.weekday()) % 7)
    wednesday = next_month + dt.timedelta(days=(2 - next_month.weekday()) % 7)
    tuesday = next_month + dt.timedelta(days=(1 - next_month.weekday()) % 7)
    assert 'class="day closed' in day_cell(html, saturday) and ">Closed<" in day_cell(html, saturday)
    assert 'class="day override' in day_cell(html, wednesday) and "$6.00/h" in day_cell(html, wednesday)
    assert 'class="day open' in day_cell(html, tuesday)
    assert "has-exception" in day_cell(html, closed_day) and "Family visit" in day_cell(html, closed_day)
    # Each day says what it is to a screen reader, and opens the exception form for that date.
    assert f"{saturday:%A} {saturday.day} {saturday:%B}: Closed" in html
    assert f"/availability/exceptions/?month={next_month:%Y-%m}&amp;date={tuesday:%Y-%m-%d}" in html


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-13", "yesterday", "1066-10", "2026-1"])
def test_a_month_that_cannot_be_read_shows_the_current_one_with_a_note(client, listing, url, month):
    response = client.get(url, {"month": month, "date": "not-a-date"})
    assert response.status_code == 200
    today = selectors.listing_today(listing)
    assert f"{today:%B %Y}" in response.content.decode()
    assert "could not be read" in response.content.decode()


@pytest.mark.django_db
def test_month_navigation_with_htmx_answers_the_panel(client, url, next_month):
    response = client.get(url, {"month": f"{next_month:%Y-%m}"}, **HTMX)
    html = response.content.decode()
    assert 'id="availability-panel"' in html and "<html" not in html
    following = (next_month + dt.timedelta(days=32)).replace(day=1)
    assert f"?month={following:%Y-%m}" in html


@pytest.mark.django_db
def test_clicking_a_day_prefills_the_exception_form(client, listing, next_month):
    day = next_month + dt.timedelta(days=9)
    response = client.get(f"/host/listings/{listing.pk}/availability/exceptions/", {"date": f"{day:%Y-%m-%d}"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="exception_date" value="{day:%Y-%m-%d}"' in html
    assert 'data-focus="exception-form"' in html
    assert "picked" in day_cell(html, day)


# --- Date exceptions ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_closed_day_is_added_through_the_service_and_shows_on_the_calendar(client, listing, next_month):
    day = next_month + dt.timedelta(days=3)
    response = client.post(
        f"/host/listings/{listing.pk}/availability/exceptions/",
        {"exception_date": f"{day:%Y-%m-%d}", "is_available": "closed", "reason": "Repaving", "month": f"{day:%Y-%m}"},
        **HTMX,
    )

    assert response.status_code == 200
    exception = AvailabilityException.objects.get(listing=listing)
    assert (exception.exception_date, exception.is_available, exception.start_time) == (day, False, None)
    html = response.content.decode()
    assert 'class="day closed' in day_cell(html, day) and "Repaving" in html
    assert f'data-focus="day-{day:%Y-%m-%d}"' in html
    assert AuditLog.objects.filter(object_id=listing.pk, description="Date exception added").exists()


@pytest.mark.django_db
def test_without_htmx_adding_a_day_redirects_to_its_month(client, listing, next_month):
    response = client.post(
        f"/host/listings/{listing.pk}/availability/exceptions/",
        {
            "exception_date": f"{next_month:%Y-%m-%d}",
            "is_available": "open",
            "start_time": "09:00",
            "end_time": "12:00",
            "month": f"{next_month:%Y-%m}",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/host/listings/{listing.pk}/availability/?month={next_month:%Y-%m}"
    assert AvailabilityException.objects.get().is_available is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"exception_date": "", "is_available": "closed"}, "exception_date"),
        ({"exception_date": "2026-02-30", "is_available": "closed"}, "exception_date"),
        ({"is_available": "maybe"}, "is_available"),
        ({"is_available": "open", "start_time": "09:00"}, "end_time"),  # the service wants both or neither
        ({"is_available": "open", "start_time": "17:00", "end_time": "09:00"}, "end_time"),
        ({"is_available": "closed", "start_time": "25:00", "end_time": "26:00"}, "start_time"),
        ({"is_available": "closed", "reason": "x" * 101}, "reason"),
    ],
)
def test_a_bad_exception_is_refused_next_to_the_field_with_the_input_kept(client, listing, next_month, data, field):
    data = {"exception_date": f"{next_month:%Y-%m-%d}", "reason": "Kept reason"} | data
    response = client.post(f"/host/listings/{listing.pk}/availability/exceptions/", data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="exception_{field}_error"' in html
    assert f'aria-describedby="exception_{field}_' in html or field == "is_available"
    if field != "reason":
        assert 'value="Kept reason"' in html
    assert not AvailabilityException.objects.exists()


@pytest.mark.django_db
def test_a_second_exception_on_the_same_day_is_refused_next_to_the_date(client, listing, next_month):
    AvailabilityExceptionFactory(listing=listing, exception_date=next_month)
    response = client.post(
        f"/host/listings/{listing.pk}/availability/exceptions/",
        {"exception_date": f"{next_month:%Y-%m-%d}", "is_available": "closed"},
        **HTMX,
    )
    assert response.status_code == 422
    assert 'id="exception_exception_date_error"' in response.content.decode()
    assert "already an exception" in response.content.decode()


@pytest.mark.django_db
def test_a_picked_day_with_an_exception_offers_to_remove_it(client, listing, url, next_month):
    exception = AvailabilityExceptionFactory(listing=listing, exception_date=next_month, reason="Holiday")
    html = client.get(url, {"date": f"{next_month:%Y-%m-%d}"}).content.decode()
    assert "Remove this exception" in html

    response = client.post(
        f"/host/listings/{listing.pk}/availability/exceptions/{exception.pk}/delete/",
        {"month": f"{next_month:%Y-%m}"},
        **HTMX,
    )
    assert response.status_code == 200
    assert not AvailabilityException.objects.exists()
    assert "follows the rules again" in response.content.decode()


# --- Recurring rules ------------------------------------------------------------------------------------------------

RULE = {
    "rule_type": "weekly",
    "is_available": "closed",
    "start_time": "00:00",
    "end_time": "23:59",
    "days_of_week": ["5", "6"],
    "max_bookings": "1",
}


@pytest.mark.django_db
def test_a_rule_is_added_listed_and_applied_to_the_calendar(client, listing, next_month):
    data = RULE | {"start_date": f"{next_month:%Y-%m-%d}", "month": f"{next_month:%Y-%m}"}
    response = client.post(f"/host/listings/{listing.pk}/availability/rules/", data, **HTMX)

    assert response.status_code == 200
    rule = AvailabilityRule.objects.get(listing=listing)
    assert (rule.rule_type, rule.days_of_week, rule.is_available) == ("weekly", [5, 6], False)
    html = response.content.decode()
    assert "every Sat, Sun" in html and "Rule added." in html
    sunday = next_month + dt.timedelta(days=(6 - next_month.weekday()) % 7)
    assert 'class="day closed' in day_cell(html, sunday)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"days_of_week": []}, "days_of_week"),  # a weekly rule needs days (the service says so)
        ({"rule_type": "hourly"}, "rule_type"),
        ({"start_time": "18:00", "end_time": "08:00"}, "end_time"),
        ({"end_date": "2000-01-01"}, "end_date"),
        ({"rule_type": "date_range"}, "end_date"),
        ({"price_override": "0"}, "price_override"),
        ({"max_bookings": "0"}, "max_bookings"),
        ({"start_date": "soon"}, "start_date"),
        ({"days_of_week": ["9"]}, "days_of_week"),
    ],
)
def test_a_bad_rule_is_refused_next_to_the_field_with_the_input_kept(client, listing, next_month, changes, field):
    data = RULE | {"start_date": f"{next_month:%Y-%m-%d}", "price_override": "7.50"} | changes
    response = client.post(f"/host/listings/{listing.pk}/availability/rules/", data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="rule_{field}_error"' in html
    assert 'id="rule-form" tabindex="-1" open' in html  # the form stays open with what was typed
    if field != "price_override":
        assert 'value="7.50"' in html
    assert not AvailabilityRule.objects.exists()


@pytest.mark.django_db
def test_a_rule_is_changed_through_update_rule(client, listing, next_month):
    rule = AvailabilityRuleFactory(listing=listing, rule_type="daily", start_date=next_month, is_available=True)
    edit = f"/host/listings/{listing.pk}/availability/rules/{rule.pk}/"

    form = client.get(edit, **HTMX).content.decode()
    assert "Change the rule" in form and 'value="daily" selected' in form

    data = RULE | {
        "start_date": f"{next_month:%Y-%m-%d}",
        "rule_type": "daily",
        "is_available": "open",
        "start_time": "07:00",
        "end_time": "19:00",
        "price_override": "4.25",
    }
    response = client.post(edit, data, **HTMX)
    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.start_time, rule.price_override) == (dt.time(7), Decimal("4.25"))
    assert "Rule saved." in response.content.decode()

    response = client.post(edit, data | {"end_time": "06:00"}, **HTMX)
    assert response.status_code == 422 and 'id="rule_end_time_error"' in response.content.decode()
    rule.refresh_from_db()
    assert rule.end_time == dt.time(19)


@pytest.mark.django_db
def test_a_rule_is_removed(client, listing):
    rule = AvailabilityRuleFactory(listing=listing)
    response = client.post(f"/host/listings/{listing.pk}/availability/rules/{rule.pk}/delete/", **HTMX)
    assert response.status_code == 200 and "Rule removed." in response.content.decode()
    assert not AvailabilityRule.objects.exists()
    assert AuditLog.objects.filter(object_id=listing.pk, description="Availability rule removed").exists()


@pytest.mark.django_db
def test_someone_elses_rules_and_exceptions_are_not_found(client, listing):
    rule = AvailabilityRuleFactory(listing=listing)
    exception = AvailabilityExceptionFactory(listing=listing)
    client.force_login(HostFactory())
    base = f"/host/listings/{listing.pk}/availability"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/rules/{rule.pk}/").status_code == 404
    assert client.post(f"{base}/rules/{rule.pk}/delete/").status_code == 404
    assert client.post(f"{base}/rules/", RULE).status_code == 404
    assert client.post(f"{base}/exceptions/{exception.pk}/delete/").status_code == 404
    assert client.post(f"{base}/exceptions/", {"exception_date": "2030-01-01"}).status_code == 404
    # Their own listing does not reach my rules either.
    theirs = ListingFactory(host=HostFactory(email="other-host@example.com"))
    client.force_login(theirs.host)
    assert client.post(f"/host/listings/{theirs.pk}/availability/rules/{rule.pk}/delete/").status_code == 404
    assert AvailabilityRule.objects.filter(pk=rule.pk).exists()
    assert AvailabilityException.objects.filter(pk=exception.pk).exists()


@pytest.mark.django_db
def test_the_calendar_costs_the_same_queries_for_one_rule_or_many(client, listing, url, django_assert_max_num_queries):
    AvailabilityRuleFactory(listing=listing)
    AvailabilityExceptionFactory(listing=listing, exception_date=selectors.listing_today(listing))
    with django_assert_max_num_queries(10) as one:
        client.get(url)
    baseline = len(one)
    for days in range(1, 12):
        AvailabilityRuleFactory(listing=listing)
        AvailabilityExceptionFactory(
            listing=listing, exception_date=selectors.listing_today(listing) + dt.timedelta(days=days)
        )
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.content.decode().count('class="rule-row') == 24


# --- The calendar agrees with the availability rules bookings are checked against ----------------------------------

TIMES = st.sampled_from([dt.time(0), dt.time(6), dt.time(8, 30), dt.time(12), dt.time(18), dt.time(23, 59)])
START = dt.date(2026, 3, 1)
DAYS = st.dates(min_value=START, max_value=START + dt.timedelta(days=60))


@st.composite
def rules(draw):
    kind = draw(st.sampled_from(["daily", "weekly", "monthly", "date_range"]))
    start_date = draw(DAYS)
    end_date = draw(st.none() | st.dates(min_value=start_date, max_value=start_date + dt.timedelta(days=20)))
    start_time, end_time = sorted(draw(st.lists(TIMES, min_size=2, max_size=2, unique=True)))
    if kind == "date_range":
        end_date = end_date or start_date + dt.timedelta(days=1)
        if end_date == start_date and end_time <= start_time:
            end_time = dt.time(23, 59)
    return AvailabilityRule(
        rule_type=kind,
        start_date=start_date,
        end_date=end_date,
        start_time=start_time,
        end_time=end_time,
        days_of_week=draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True)),
        is_available=draw(st.booleans()),
        price_override=draw(st.none() | st.sampled_from([Decimal("3.00"), Decimal("7.50")])),
    )


@st.composite
def exceptions(draw):
    times = draw(st.none() | st.lists(TIMES, min_size=2, max_size=2, unique=True).map(sorted))
    return AvailabilityException(
        exception_date=draw(DAYS),
        start_time=times[0] if times else None,
        end_time=times[1] if times else None,
        is_available=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(
    days=st.lists(st.integers(0, 6), max_size=7, unique=True),
    hours=st.lists(TIMES, min_size=2, max_size=2, unique=True).map(sorted),
    rule_list=st.lists(rules(), max_size=4),
    exception=st.none() | exceptions(),
    day=DAYS,
)
def test_each_calendar_day_matches_the_availability_module(days, hours, rule_list, exception, day):
    listing = Listing(available_days=days, available_start_time=hours[0], available_end_time=hours[1])
    schedule = availability.Schedule(
        listing_id=1,
        time_zone="UTC",
        available_days=days,
        available_start_time=hours[0],
        available_end_time=hours[1],
        spaces=[1],
        rules=rule_list,
        exceptions=[exception] if exception else [],
    )
    pieces = availability._day_pieces(schedule, day, 1)
    expected_open = []
    for start, end, is_open, _, _ in pieces:
        if not is_open:
            continue
        if expected_open and expected_open[-1][1] == start:
            expected_open[-1] = (expected_open[-1][0], end)
        else:
            expected_open.append((start, end))
    expected_override = max((p[4] for p in pieces if p[2] and p[4] is not None), default=None)
    same_day = exception if exception is not None and exception.exception_date == day else None

    open_minutes, override, _ = selectors._calendar_day(listing, rule_list, same_day, day)

    assert (list(open_minutes), override) == (expected_open, expected_override)
