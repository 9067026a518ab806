"""`/api/v1/listings`: GET searches (anyone), POST publishes a listing (hosts)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import PageNumberPagination, paginated
from apps.core.api.params import parse_int
from apps.core.api.throttling import SCOPED_THROTTLES
from apps.listings import selectors as listing_selectors
from apps.listings import services as listing_services
from apps.listings.api.serializers import HostListingSerializer, ListingInputSerializer
from apps.search.api.params import parse_search_params
from apps.search.api.serializers import SearchResultSerializer, search_cards
from apps.search.selectors import search_listing_rows
from apps.search.signals import listings_searched

SEARCH_PARAMETERS = [
    OpenApiParameter("lat", OpenApiTypes.DOUBLE),
    OpenApiParameter("lng", OpenApiTypes.DOUBLE),
    OpenApiParameter("radius_m", OpenApiTypes.INT, description="default 1609, max 50000"),
    OpenApiParameter("within", OpenApiTypes.STR, description="GeoJSON Polygon (URL-encoded JSON)"),
    OpenApiParameter("route", OpenApiTypes.STR, description="GeoJSON LineString (URL-encoded JSON)"),
    OpenApiParameter("polyline", OpenApiTypes.STR, description="Encoded polyline of the route"),
    OpenApiParameter("route_buffer_m", OpenApiTypes.INT, description="default 200"),
    OpenApiParameter("start", OpenApiTypes.DATETIME),
    OpenApiParameter("end", OpenApiTypes.DATETIME),
    OpenApiParameter("vehicle_size", OpenApiTypes.STR),
    OpenApiParameter("spot_type", OpenApiTypes.STR, many=True),
    OpenApiParameter("features", OpenApiTypes.STR, description="comma-separated; all must be present"),
    OpenApiParameter("price_max", OpenApiTypes.DECIMAL),
    OpenApiParameter("instant_booking", OpenApiTypes.BOOL),
    OpenApiParameter("min_rating", OpenApiTypes.DECIMAL),
    OpenApiParameter("q", OpenApiTypes.STR),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["distance", "price", "rating", "relevance"]),
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="max 100"),
]

# `count` of a window search is at most MAX_WINDOW_CANDIDATES (it looks no further): this response header says
# whether the search stopped there, so that a client can show "500+" as the web page does. A header rather than a
# field: the list envelope `{count, next, previous, results}` is the same for every list of the API.
COUNT_CAPPED_HEADER = "X-Count-Capped"
COUNT_CAPPED = OpenApiParameter(
    COUNT_CAPPED_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=True,
    enum=["true", "false"],
    description="true when a window search stopped at its candidate cap (500): there may be more than `count`",
)


class ListingCollectionView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "search"

    @extend_schema(parameters=[*SEARCH_PARAMETERS, COUNT_CAPPED], responses=paginated(SearchResultSerializer))
    def get(self, request):
        params = parse_search_params(request.query_params)
        page_number = parse_int(request.query_params.get("page"), attr="page", minimum=1, maximum=10_000, default=1)
        page_size = parse_int(
            request.query_params.get("page_size"),
            attr="page_size",
            minimum=1,
            maximum=PageNumberPagination.max_page_size,
            default=PageNumberPagination.page_size,
        )
        result = search_listing_rows(params, offset=(page_number - 1) * page_size, limit=page_size)
        listings_searched.send(
            sender=type(self),
            params=params,
            result_ids=[row.values["id"] for row in result.rows],
            count=result.count,
            request=request,
        )
        data = search_cards(result.rows, request)  # what SearchResultSerializer says, without its per-request cost
        return Response(
            PageNumberPagination.page_body(request, result.count, page_number, page_size, data),
            headers={COUNT_CAPPED_HEADER: "true" if result.capped else "false"},
        )

    @extend_schema(request=ListingInputSerializer, responses={201: HostListingSerializer})
    def post(self, request):
        data = ListingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listing_services.create_listing(host=request.user, **data.validated_data)
        listing = listing_selectors.managed_listing(listing.pk, request.user)
        return Response(HostListingSerializer(listing, context={"request": request}).data, status=201)
