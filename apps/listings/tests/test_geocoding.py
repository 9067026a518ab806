"""Geocoders: the offline ZIP gazetteer, and geopy's Google and Nominatim clients against recorded responses
served by a local fake of each service."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from apps.listings.geocoding.base import Address, GeocodingError
from apps.listings.geocoding.geopy import GoogleGeocoder, NominatimGeocoder
from apps.listings.geocoding.zipcodes import ZipCentroidGeocoder

RECORDED = Path(__file__).parent / "recorded"
ADDRESS = Address("2100 Barton Springs Rd", "Austin", "TX", "78704")


class FakeGeocodingService(BaseHTTPRequestHandler):
    requests: list[tuple[str, dict]] = []

    def do_GET(self):
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        FakeGeocodingService.requests.append((url.path, query))
        if url.path == "/maps/api/geocode/json":
            body = (RECORDED / "google_geocode.json").read_bytes()
            if query.get("address", "").startswith("Nowhere"):
                body = json.dumps({"results": [], "status": "ZERO_RESULTS"}).encode()
        elif url.path == "/search":
            body = (RECORDED / "nominatim_search.json").read_bytes()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_service(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGeocodingService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeGeocodingService.requests = []
    settings.GEOCODER_DOMAIN = f"127.0.0.1:{server.server_port}"
    settings.GEOCODER_SCHEME = "http"
    settings.GOOGLE_MAPS_API_KEY = "test-key"
    yield FakeGeocodingService
    server.shutdown()


def test_zip_centroid_is_offline_and_close():
    point = ZipCentroidGeocoder().geocode(ADDRESS)
    assert abs(point.y - 30.26) < 0.05 and abs(point.x + 97.76) < 0.05


def test_unknown_zip_is_a_geocoding_error():
    with pytest.raises(GeocodingError):
        ZipCentroidGeocoder().geocode(Address("1 Main", "Nowhere", "TX", "00000"))


def test_without_a_zip_a_city_is_placed_at_its_middle_offline():
    point = ZipCentroidGeocoder().geocode(Address("", "austin", "tx", ""))
    assert abs(point.y - 30.3) < 0.15 and abs(point.x + 97.75) < 0.15
    with pytest.raises(GeocodingError):
        ZipCentroidGeocoder().geocode(Address("", "Atlantis", "TX", ""))
    with pytest.raises(GeocodingError):
        ZipCentroidGeocoder().geocode(Address("1 Main", "", "", ""))


def test_google_geocoder_reads_the_recorded_response(fake_service):
    point = GoogleGeocoder().geocode(ADDRESS)
    assert (round(point.x, 4), round(point.y, 4)) == (-97.7688, 30.2637)
    path, query = fake_service.requests[0]
    assert path == "/maps/api/geocode/json"
    assert query["key"] == "test-key" and query["address"] == ADDRESS.one_line()


def test_google_geocoder_without_results_is_an_error(fake_service):
    with pytest.raises(GeocodingError):
        GoogleGeocoder().geocode(Address("Nowhere 1", "Austin", "TX", "78704"))


def test_nominatim_geocoder_reads_the_recorded_response(fake_service):
    point = NominatimGeocoder().geocode(ADDRESS)
    assert (round(point.x, 4), round(point.y, 4)) == (-97.7687, 30.2637)
    assert fake_service.requests[0][0] == "/search"
