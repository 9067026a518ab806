"""Booking-domain endpoints: a listing's availability and quote (and, later, bookings themselves)."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.bookings import selectors
from apps.bookings.api.serializers import AvailabilitySerializer, QuoteSerializer
from apps.bookings.availability import Unavailable
from apps.bookings.errors import WindowInPast, WindowUnavailable
from apps.core.api.params import parse_window
from apps.core.errors import InvalidInput
from apps.listings.selectors import public_listing

WINDOW_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATETIME, required=True, description="ISO 8601 with an offset"),
    OpenApiParameter("end", OpenApiTypes.DATETIME, required=True, description="ISO 8601 with an offset"),
]
MAX_CALENDAR_DAYS = 62
PAST_TOLERANCE = timedelta(minutes=5)


class QuoteView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=WINDOW_PARAMETERS, responses={200: QuoteSerializer})
    def get(self, request, pk: int):
        listing = public_listing(pk)
        start, end = parse_window(request.query_params)
        if start < timezone.now() - PAST_TOLERANCE:
            raise WindowInPast("The window must start in the future.", attr="start")
        try:
            quote = selectors.quote_window(listing, start, end)
        except Unavailable as refusal:
            raise WindowUnavailable(refusal.detail, code=refusal.code, attr=refusal.attr) from refusal
        return Response(QuoteSerializer(QuoteSerializer.build(listing.pk, quote)).data)


class AvailabilityView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=WINDOW_PARAMETERS, responses={200: AvailabilitySerializer})
    def get(self, request, pk: int):
        listing = public_listing(pk)
        start, end = parse_window(request.query_params)
        if end - start > timedelta(days=MAX_CALENDAR_DAYS):
            raise InvalidInput(f"Ask for at most {MAX_CALENDAR_DAYS} days at a time.", attr="end")
        intervals = selectors.availability_intervals(listing, start, end)
        body = {
            "listing": listing.pk,
            "start": start,
            "end": end,
            "time_zone": listing.time_zone,
            "intervals": [interval.__dict__ for interval in intervals],
        }
        return Response(AvailabilitySerializer(body).data)
