"""GET /api/v1/host/analytics: a host's views, search appearances, bookings, occupancy and earnings per day."""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics import selectors
from apps.analytics.api.serializers import HostAnalyticsSerializer
from apps.core.api.params import parse_int
from apps.core.errors import InvalidInput, PermissionDenied


def parse_date(value: str | None, *, attr: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise InvalidInput("Use a date like 2026-12-01.", code="invalid_date", attr=attr) from error


class HostAnalyticsView(APIView):
    """A non-host is refused (403): only hosts have listings to measure."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="A host's figures per day",
        description=(
            "Per local day (the listing's time zone, or for all listings the zone most of them are in): views, "
            "searches the listing was shown in, bookings made, booked and available space-hours, occupancy and "
            f"earnings. At most {selectors.MAX_DAYS} days; by default the last {selectors.DEFAULT_DAYS} up to today."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD), included"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD), included"),
            OpenApiParameter("listing", OpenApiTypes.INT, description="One of your listings; all of them if omitted"),
        ],
        responses={
            200: HostAnalyticsSerializer,
            400: OpenApiResponse(description="A malformed parameter, named in `attr`"),
            403: OpenApiResponse(description="The account is not a host"),
            404: OpenApiResponse(description="No such listing among yours"),
        },
    )
    def get(self, request):
        if not request.user.is_host:
            raise PermissionDenied("Only hosts have analytics.", code="not_a_host")
        params = request.query_params
        first_day = parse_date(params.get("from"), attr="from")
        last_day = parse_date(params.get("to"), attr="to")
        listing_id = parse_int(params.get("listing"), attr="listing", minimum=1, maximum=2**63 - 1)
        report = selectors.host_analytics(request.user, first_day=first_day, last_day=last_day, listing_id=listing_id)
        body = {
            "first_day": report.first_day,
            "last_day": report.last_day,
            "listing": report.listing.pk if report.listing else None,
            "time_zone": report.time_zone,
            "currency": report.currency,
            "totals": report.totals,
            "days": report.days,
        }
        return Response(HostAnalyticsSerializer(body).data)
