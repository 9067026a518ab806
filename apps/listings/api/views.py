"""Listing endpoints of API.md (except the search collection, which lives in `apps.search`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import PAGE_PARAMETERS, PageNumberPagination, paginated
from apps.core.errors import NotFound
from apps.listings import cache, selectors, services
from apps.listings.api import serializers
from apps.listings.models import AvailabilityException, AvailabilityRule, ListingPhoto
from apps.listings.signals import listing_viewed


def public_detail(listing, request) -> dict:
    return serializers.ListingSerializer(listing, context={"request": request}).data


class ListingDetailView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses=serializers.ListingSerializer)
    def get(self, request, pk: int):
        response = self._detail(request, pk)
        if "gate_code" not in response.data:  # the host looking at their own listing is not a view
            listing_viewed.send(sender=type(self), listing_id=pk, request=request)
        return response

    def _detail(self, request, pk: int) -> Response:
        user = request.user
        if user.is_authenticated:
            listing = selectors.visible_listing(pk, user)
            if listing.host_id == user.pk:
                return Response(serializers.HostListingSerializer(listing, context={"request": request}).data)
            return Response(public_detail(listing, request))
        detail = cache.cached_detail(pk, lambda: self._build(pk, request))
        if detail is None:
            raise NotFound("No such listing.")
        return Response(detail)

    @staticmethod
    def _build(pk: int, request) -> dict | None:
        try:
            return public_detail(selectors.public_listing(pk), request)
        except NotFound:
            return None

    @extend_schema(request=serializers.ListingInputSerializer, responses=serializers.HostListingSerializer)
    def patch(self, request, pk: int):
        listing = selectors.managed_listing(pk, request.user)
        data = serializers.ListingInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        listing = services.update_listing(listing=listing, actor=request.user, **data.validated_data)
        listing = selectors.managed_listing(listing.pk, request.user)
        return Response(serializers.HostListingSerializer(listing, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.delete_listing(listing=selectors.managed_listing(pk, request.user), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListingActivationView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    activate = True

    @extend_schema(request=None, responses=serializers.HostListingSerializer)
    def post(self, request, pk: int):
        listing = selectors.managed_listing(pk, request.user)
        change = services.activate_listing if self.activate else services.deactivate_listing
        change(listing=listing, actor=request.user)
        listing = selectors.managed_listing(pk, request.user)
        return Response(serializers.HostListingSerializer(listing, context={"request": request}).data)


class HostListingsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses=paginated(serializers.HostListingSerializer))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.host_listings(request.user), request, view=self)
        data = serializers.HostListingSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class PhotoListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": serializers.PhotoUploadSerializer}, responses={201: serializers.PhotoSerializer}
    )
    def post(self, request, pk: int):
        listing = selectors.managed_listing(pk, request.user)
        data = serializers.PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.add_photo(
            listing=listing,
            actor=request.user,
            upload=data.validated_data["image"],
            caption=data.validated_data["caption"],
        )
        return Response(serializers.PhotoSerializer(photo, context={"request": request}).data, status=201)


class PhotoOrderView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=serializers.PhotoOrderSerializer, responses=serializers.PhotoSerializer(many=True))
    def post(self, request, pk: int):
        listing = selectors.managed_listing(pk, request.user)
        data = serializers.PhotoOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photos = services.reorder_photos(
            listing=listing, actor=request.user, photo_ids=data.validated_data["photo_ids"]
        )
        return Response(serializers.PhotoSerializer(photos, many=True, context={"request": request}).data)


def _managed_child(model, request, pk: int, child_id: int):
    listing = selectors.managed_listing(pk, request.user)
    child = model.objects.filter(listing=listing, pk=child_id).select_related("listing").first()
    if child is None:
        raise NotFound("Not found.")
    return child


class PhotoDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=serializers.PhotoUpdateSerializer, responses=serializers.PhotoSerializer)
    def patch(self, request, pk: int, photo_id: int):
        photo = _managed_child(ListingPhoto, request, pk, photo_id)
        data = serializers.PhotoUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.update_photo(photo=photo, actor=request.user, caption=data.validated_data["caption"])
        return Response(serializers.PhotoSerializer(photo, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, photo_id: int):
        services.delete_photo(photo=_managed_child(ListingPhoto, request, pk, photo_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RuleListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=serializers.AvailabilityRuleSerializer(many=True))
    def get(self, request, pk: int):
        rules = selectors.listing_rules(selectors.managed_listing(pk, request.user))
        return Response(serializers.AvailabilityRuleSerializer(rules, many=True).data)

    @extend_schema(
        request=serializers.AvailabilityRuleSerializer, responses={201: serializers.AvailabilityRuleSerializer}
    )
    def post(self, request, pk: int):
        listing = selectors.managed_listing(pk, request.user)
        data = serializers.AvailabilityRuleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.create_rule(listing=listing, actor=request.user, **data.validated_data)
        return Response(serializers.AvailabilityRuleSerializer(rule).data, status=201)


class RuleDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=serializers.AvailabilityRuleSerializer, responses=serializers.AvailabilityRuleSerializer)
    def patch(self, request, pk: int, rule_id: int):
        rule = _managed_child(AvailabilityRule, request, pk, rule_id)
        data = serializers.AvailabilityRuleSerializer(rule, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rule = services.update_rule(rule=rule, actor=request.user, **data.validated_data)
        return Response(serializers.AvailabilityRuleSerializer(rule).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, rule_id: int):
        services.delete_rule(rule=_managed_child(AvailabilityRule, request, pk, rule_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExceptionListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=serializers.AvailabilityExceptionSerializer(many=True))
    def get(self, request, pk: int):
        exceptions = selectors.listing_exceptions(selectors.managed_listing(pk, request.user))
        return Response(serializers.AvailabilityExceptionSerializer(exceptions, many=True).data)

    @extend_schema(
        request=serializers.AvailabilityExceptionSerializer,
        responses={201: serializers.AvailabilityExceptionSerializer},
    )
    def post(self, request, pk: int):
        listing = selectors.managed_listing(pk, request.user)
        data = serializers.AvailabilityExceptionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exception = services.create_exception(listing=listing, actor=request.user, **data.validated_data)
        return Response(serializers.AvailabilityExceptionSerializer(exception).data, status=201)


class ExceptionDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, exception_id: int):
        exception = _managed_child(AvailabilityException, request, pk, exception_id)
        services.delete_exception(exception=exception, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
