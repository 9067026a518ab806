"""Query parameters of `GET /api/v1/listings` → `SearchParams`, every malformed one a 400 naming it."""

from decimal import Decimal

from apps.core.api.params import parse_bool, parse_choices, parse_decimal, parse_int, parse_window
from apps.core.errors import InvalidInput
from apps.core.geojson import decode_polyline, parse_linestring, parse_polygon, point_from_lat_lng
from apps.listings.models import FEATURES, VEHICLE_SIZE_ORDER, Listing
from apps.search.selectors import SORTS, SearchParams

MAX_RADIUS_M = 50_000
MAX_ROUTE_BUFFER_M = 5_000
MAX_QUERY_LENGTH = 200


def parse_search_params(query) -> SearchParams:
    params = SearchParams()
    lat, lng = query.get("lat"), query.get("lng")
    if (lat in (None, "")) != (lng in (None, "")):
        raise InvalidInput("Give both lat and lng.", code="required", attr="lng" if lat else "lat")
    if lat not in (None, ""):
        for name, value, limit in (("lat", lat, 90), ("lng", lng, 180)):
            number = parse_decimal(value, attr=name)
            if abs(number) > limit:
                raise InvalidInput(f"{name} must be within ±{limit}.", attr=name)
        params.point = point_from_lat_lng(lat, lng)
    params.radius_m = parse_int(query.get("radius_m"), attr="radius_m", minimum=1, maximum=MAX_RADIUS_M, default=1609)
    if query.get("within"):
        params.within = parse_polygon(query["within"], attr="within")
    if query.get("route") and query.get("polyline"):
        raise InvalidInput("Give the route as GeoJSON or as a polyline, not both.", attr="polyline")
    if query.get("route"):
        params.route = parse_linestring(query["route"], attr="route")
    elif query.get("polyline"):
        params.route = decode_polyline(query["polyline"], attr="polyline")
    params.route_buffer_m = parse_int(
        query.get("route_buffer_m"), attr="route_buffer_m", minimum=1, maximum=MAX_ROUTE_BUFFER_M, default=200
    )
    params.start, params.end = parse_window(query, required=False)
    if query.get("vehicle_size"):
        params.vehicle_size = parse_choices([query["vehicle_size"]], attr="vehicle_size", allowed=VEHICLE_SIZE_ORDER)[0]
    params.spot_types = parse_choices(query.getlist("spot_type"), attr="spot_type", allowed=Listing.SpotType.values)
    params.features = parse_choices(query.getlist("features"), attr="features", allowed=FEATURES)
    params.price_max = parse_decimal(query.get("price_max"), attr="price_max", minimum=Decimal("0"))
    params.instant_booking = parse_bool(query.get("instant_booking"), attr="instant_booking")
    params.min_rating = parse_decimal(query.get("min_rating"), attr="min_rating", minimum=Decimal("0"))
    if params.min_rating is not None and params.min_rating > 5:
        raise InvalidInput("Ratings go from 1 to 5.", attr="min_rating")
    params.q = (query.get("q") or "").strip()
    if len(params.q) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"Search text can be at most {MAX_QUERY_LENGTH} characters.", attr="q")
    if query.get("sort"):
        params.sort = parse_choices([query["sort"]], attr="sort", allowed=SORTS)[0]
    if params.effective_sort == "distance" and params.point is None:
        raise InvalidInput("Sorting by distance needs lat and lng.", attr="sort")
    if params.effective_sort == "relevance" and not params.q:
        raise InvalidInput("Sorting by relevance needs q.", attr="sort")
    return params
