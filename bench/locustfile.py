"""Locust users for the HTTP benchmark (bench/scenario_http.py starts locust with this file; never import it into
the Django process: locust patches the standard library with gevent).

Reads the fixture written by the scenario from BENCH_HTTP_FIXTURE (JSON): `listings` [[id, lng, lat], ...]
sampled from the database, `tokens` (JWT access tokens of verified guests, signed with the key of the gunicorn
under test) and `days` (how far ahead windows start).

Users (name one or more on locust's command line):
- MixUser: search 70 %, listing detail 20 %, quote 8 %, booking 2 % (a 409 for a taken window, or a 400 for a
  window shorter or longer than the listing allows, counts as a success: it is the answer the product must give);
- DetailUser: listing detail only (the detail is cached: its ceiling next to the floor);
- FloorUser: /healthz only, a trivial Django JSON view (no database, no cache): the floor of this stack.
"""

import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta

from locust import HttpUser, constant, task

with open(os.environ["BENCH_HTTP_FIXTURE"]) as fixture_file:
    FIXTURE = json.load(fixture_file)
LISTINGS = FIXTURE["listings"]
TOKENS = FIXTURE["tokens"]
DAYS = FIXTURE.get("days", 60)
VEHICLE = {"make": "Toyota", "model": "Corolla", "color": "Silver", "license_plate": "LOC 0001", "state": "TX"}
RADII = (1000, 2000, 3000, 5000)


def window() -> tuple[str, str]:
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    start = first + timedelta(hours=random.randrange(DAYS * 24))
    return start.isoformat(), (start + timedelta(hours=random.randint(1, 3))).isoformat()


def refused_by_the_rules(response) -> bool:
    """A 400 for a window shorter or longer than the listing allows (its minimum hours, maximum days)."""
    if response.status_code != 400:
        return False
    try:
        codes = {error.get("code") for error in response.json().get("errors", [])}
    except ValueError:
        return False
    return bool(codes & {"too_short", "too_long"})


class MixUser(HttpUser):
    wait_time = constant(0)

    @task(70)
    def search(self) -> None:
        _, lng, lat = random.choice(LISTINGS)
        params = {"lat": f"{lat:.5f}", "lng": f"{lng:.5f}", "radius_m": random.choice(RADII)}
        if random.random() < 0.5:
            params["start"], params["end"] = window()
        self.client.get("/api/v1/listings", params=params, name="search")

    @task(20)
    def detail(self) -> None:
        listing_id = random.choice(LISTINGS)[0]
        self.client.get(f"/api/v1/listings/{listing_id}", name="listing detail")

    @task(8)
    def quote(self) -> None:
        listing_id = random.choice(LISTINGS)[0]
        start, end = window()
        with self.client.get(
            f"/api/v1/listings/{listing_id}/quote",
            params={"start": start, "end": end},
            name="quote",
            catch_response=True,
        ) as response:
            if response.status_code == 409:  # closed or full then: a correct answer
                response.success()

    @task(2)
    def book(self) -> None:
        listing_id = random.choice(LISTINGS)[0]
        start, end = window()
        body = {
            "listing": listing_id,
            "start_datetime": start,
            "end_datetime": end,
            "vehicle": VEHICLE,
            "payment_method": "pm_card_visa",
        }
        headers = {"Authorization": f"Bearer {random.choice(TOKENS)}", "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post(
            "/api/v1/bookings", json=body, headers=headers, name="booking", catch_response=True
        ) as response:
            if response.status_code in (409, 422) or refused_by_the_rules(response):
                response.success()  # a taken window, or one the listing's own rules refuse: the right answers


class DetailUser(HttpUser):
    wait_time = constant(0)

    @task
    def detail(self) -> None:
        listing_id = random.choice(LISTINGS)[0]
        self.client.get(f"/api/v1/listings/{listing_id}", name="listing detail")


class FloorUser(HttpUser):
    wait_time = constant(0)

    @task
    def floor(self) -> None:
        self.client.get("/healthz", name="floor (healthz)")
