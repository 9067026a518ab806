"""Booking-domain endpoints: a listing's availability and quote (and, later, bookings themselves)."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.bookings import selectors, services
from apps.bookings.api.serializers import (
    AvailabilitySerializer,
    BookingCreateSerializer,
    BookingSerializer,
    CancellationTermsSerializer,
    CheckPhotoSerializer,
    QuoteSerializer,
    ReasonSerializer,
)
from apps.bookings.availability import Unavailable
from apps.bookings.errors import WindowInPast, WindowUnavailable
from apps.bookings.models import Booking
from apps.core.api.idempotency import idempotent
from apps.core.api.pagination import PAGE_PARAMETERS, PageNumberPagination, paginated
from apps.core.api.params import parse_choices, parse_window
from apps.core.api.schema import ClientErrorResponseSerializer, error_responses
from apps.core.api.throttling import SCOPED_THROTTLES
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
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "search"

    @extend_schema(
        parameters=WINDOW_PARAMETERS,
        responses={
            200: QuoteSerializer,
            409: OpenApiResponse(ClientErrorResponseSerializer, description="The window cannot be booked, and why"),
        },
    )
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
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "search"

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


class BookingCollectionView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "bookings"

    @extend_schema(
        parameters=[
            OpenApiParameter("role", OpenApiTypes.STR, enum=["guest", "host"]),
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Booking.Status.values)),
            *PAGE_PARAMETERS,
        ],
        responses=paginated(BookingSerializer),
    )
    def get(self, request):
        role = parse_choices([request.query_params.get("role") or "guest"], attr="role", allowed=["guest", "host"])[0]
        status = request.query_params.get("status") or None
        if status:
            status = parse_choices([status], attr="status", allowed=Booking.Status.values)[0]
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.bookings_of(request.user, role=role, status=status), request, self)
        return paginator.get_paginated_response(BookingSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="The same key replayed returns the first answer and books nothing more; the same key with"
                " a different body is refused (422).",
            )
        ],
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, **error_responses(402, 422)},
    )
    def post(self, request):
        return idempotent(request, scope="POST /api/v1/bookings", respond=lambda: self._create(request))

    def _create(self, request) -> Response:
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        booking = services.create_booking(
            guest=request.user,
            listing_id=fields["listing"],
            start_datetime=fields["start_datetime"],
            end_datetime=fields["end_datetime"],
            vehicle=fields["vehicle"],
            payment_method=fields["payment_method"],
            guest_notes=fields["guest_notes"],
            idempotency_key=request.headers.get("Idempotency-Key") or None,
        )
        # The service's booking is the guest's own, with its listing and host loaded: no need to read it again.
        return Response(BookingSerializer(booking, context={"request": request}).data, status=201)


class BookingDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "bookings"

    @extend_schema(responses=BookingSerializer)
    def get(self, request, booking_code):
        booking = selectors.booking_for_party(booking_code, request.user)
        return Response(BookingSerializer(booking, context={"request": request}).data)


class BookingActionView(APIView):
    """POST /bookings/{code}/<action>: one state transition by its guest or host."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "bookings"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action: str = ""

    def post(self, request, booking_code):
        booking = selectors.booking_for_party(booking_code, request.user)
        if self.action in ("decline", "cancel"):
            data = ReasonSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            change = services.decline_booking if self.action == "decline" else services.cancel_booking
            booking = change(booking=booking, actor=request.user, reason=data.validated_data["reason"])
        elif self.action in ("check-in", "check-out"):
            data = CheckPhotoSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            change = services.check_in if self.action == "check-in" else services.check_out
            booking = change(booking=booking, actor=request.user, photo=data.validated_data.get("photo"))
        elif self.action == "approve":
            booking = services.approve_booking(booking=booking, actor=request.user)
        elif self.action == "no-show":
            booking = services.mark_no_show(booking=booking, actor=request.user)
        booking = selectors.booking_for_party(booking.booking_code, request.user)
        return Response(BookingSerializer(booking, context={"request": request}).data)


def action_view(action: str, request_serializer):
    return extend_schema(request=request_serializer, responses=BookingSerializer)(
        type(f"Booking{action.title().replace('-', '')}View", (BookingActionView,), {"action": action})
    ).as_view()


class CancellationTermsView(APIView):
    """What cancelling now would refund, so the UI can show it before the guest confirms."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "bookings"

    @extend_schema(responses={200: CancellationTermsSerializer})
    def get(self, request, booking_code):
        booking = selectors.booking_for_party(booking_code, request.user)
        refund = services.cancellation_terms(booking, actor=request.user)
        return Response(
            CancellationTermsSerializer(
                {"refund_amount": refund, "currency": booking.currency, "policy": booking.cancellation_policy}
            ).data
        )
