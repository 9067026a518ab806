from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.bookings.selectors import booking_for_party
from apps.core.api.pagination import PAGE_PARAMETERS, PageNumberPagination, paginated
from apps.listings.selectors import public_listing
from apps.reviews import selectors, services
from apps.reviews.api.serializers import (
    OwnReviewSerializer,
    PublicReviewSerializer,
    ReportSerializer,
    ResponseSerializer,
    ReviewCreateSerializer,
)
from apps.users.api.serializers import DetailSerializer


class ListingReviewsView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=PAGE_PARAMETERS, responses=paginated(PublicReviewSerializer))
    def get(self, request, pk: int):
        listing = public_listing(pk)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.published_listing_reviews(listing.pk), request, view=self)
        return paginator.get_paginated_response(PublicReviewSerializer(page, many=True).data)


RATINGS = ("overall_rating", "location_rating", "value_rating", "cleanliness_rating", "communication_rating")


class BookingReviewView(APIView):
    """POST /bookings/{code}/reviews: the guest or the host of a completed booking reviews the other side."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ReviewCreateSerializer, responses={201: OwnReviewSerializer})
    def post(self, request, booking_code):
        booking = booking_for_party(booking_code, request.user)
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        review = services.write_review(
            booking=booking,
            reviewer=request.user,
            ratings={name: fields.get(name) for name in RATINGS},
            comment=fields["comment"],
            title=fields["title"],
        )
        return Response(OwnReviewSerializer(review).data, status=201)


class ReviewResponseView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ResponseSerializer, responses=OwnReviewSerializer)
    def post(self, request, pk: int):
        review = selectors.review_visible_to(pk, request.user)
        data = ResponseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.respond_to_review(review=review, responder=request.user, **data.validated_data)
        return Response(OwnReviewSerializer(review).data)


class ReviewReportView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ReportSerializer, responses={200: DetailSerializer})
    def post(self, request, pk: int):
        review = selectors.review_visible_to(pk, request.user)
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_review(review=review, reporter=request.user, **data.validated_data)
        return Response({"detail": "Thank you. Our team will look at this review."})
