from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.views import APIView

from apps.core.api.pagination import PageNumberPagination
from apps.listings.selectors import public_listing
from apps.reviews import selectors
from apps.reviews.api.serializers import PublicReviewSerializer


class ListingReviewsView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PublicReviewSerializer(many=True))
    def get(self, request, pk: int):
        listing = public_listing(pk)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.published_listing_reviews(listing.pk), request, view=self)
        return paginator.get_paginated_response(PublicReviewSerializer(page, many=True).data)
