"""GET /api/v1/host/analytics: a host's figures per day, only their own, with malformed parameters named in a 400."""

from datetime import time

import pytest
from rest_framework.test import APIClient

from apps.analytics.tests.history import SATURDAY, SUNDAY, book, listing_of, local, viewed
from apps.bookings.tests.conftest import client_for
from apps.users.tests.factories import HostFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/host/analytics"


def test_a_host_gets_each_day_with_its_figures_and_the_totals():
    host = HostFactory()
    listing = listing_of(host, available_start_time=time(8), available_end_time=time(18))
    book(listing, local(SATURDAY, 9), local(SATURDAY, 14))
    viewed(listing, local(SATURDAY, 10))

    response = client_for(host).get(URL, {"from": "2026-03-07", "to": "2026-03-08"})

    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"], body["listing"]) == ("2026-03-07", "2026-03-08", None)
    assert (body["time_zone"], body["currency"]) == ("America/Chicago", "USD")
    saturday, sunday = body["days"]
    assert saturday == {
        "date": "2026-03-07",
        "views": 1,
        "searches_shown_in": 0,
        "bookings": 0,
        "booked_hours": "5.00",
        "available_hours": "10.00",
        "occupancy": 0.5,
        "earnings": saturday["earnings"],
    }
    assert saturday["earnings"] != "0.00" and sunday["earnings"] == "0.00" and sunday["occupancy"] == 0.0
    assert body["totals"]["start"] == "2026-03-07" and body["totals"]["end"] == "2026-03-08"
    assert body["totals"]["occupancy"] == 0.25 and body["totals"]["views"] == 1


def test_one_listing_is_asked_for_by_id_and_anybody_elses_is_not_found():
    host = HostFactory()
    listing, other = listing_of(host), listing_of(host)
    viewed(other, local(SUNDAY, 9))
    client = client_for(host)
    body = client.get(URL, {"from": "2026-03-08", "to": "2026-03-08", "listing": listing.pk}).json()
    assert body["listing"] == listing.pk and body["days"][0]["views"] == 0

    stranger_listing = listing_of(HostFactory())
    for missing in (stranger_listing.pk, 999_999_999):
        response = client.get(URL, {"listing": missing})
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"listing": "abc"}, "listing"),
        ({"listing": "0"}, "listing"),
        ({"listing": "99999999999999999999999"}, "listing"),
        ({"from": "2026-03-09", "to": "2026-03-08"}, "to"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_malformed_parameters_answer_400_naming_the_parameter(params, attr):
    host = HostFactory()
    listing_of(host)
    response = client_for(host).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error" and body["errors"][0]["attr"] == attr


def test_only_signed_in_hosts_have_analytics():
    assert APIClient().get(URL).status_code == 401
    seeker = client_for(UserFactory())
    response = seeker.get(URL)
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "not_a_host"
    assert client_for(UserFactory(both=True)).get(URL).status_code == 200


def test_without_listings_a_host_gets_thirty_empty_days():
    body = client_for(HostFactory()).get(URL).json()
    assert len(body["days"]) == 30 and body["totals"]["occupancy"] is None and body["listing"] is None


def test_the_number_of_queries_does_not_grow_with_the_data(django_assert_max_num_queries):
    host = HostFactory()
    client = client_for(host)
    for number in range(3):
        listing = listing_of(host)
        book(listing, local(SATURDAY, 9 + number), local(SATURDAY, 10 + number))
        viewed(listing, local(SUNDAY, 9))
    with django_assert_max_num_queries(15):  # the user, three database contexts, the report's eleven
        assert client.get(URL, {"from": "2026-01-01", "to": "2026-12-31"}).status_code == 200


def test_the_openapi_schema_describes_the_endpoint_and_its_parameters():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/host/analytics"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {"from", "to", "listing"}
    assert {"200", "400", "403", "404"} <= set(operation["responses"])
    component = schema["components"]["schemas"]["HostAnalytics"]
    assert {"from", "to", "listing", "time_zone", "currency", "totals", "days"} <= set(component["properties"])
    day = schema["components"]["schemas"]["AnalyticsDay"]["properties"]
    assert {"views", "searches_shown_in", "bookings", "occupancy", "earnings"} <= set(day)
