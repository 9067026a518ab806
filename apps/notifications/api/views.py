from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import PAGE_PARAMETERS, PageNumberPagination, paginated
from apps.core.api.params import parse_bool
from apps.notifications import selectors, services
from apps.notifications.api.serializers import (
    NotificationSerializer,
    PushSubscriptionCreateSerializer,
    PushSubscriptionSerializer,
    VapidPublicKeySerializer,
)


class NotificationListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL), *PAGE_PARAMETERS],
        responses=paginated(NotificationSerializer, counts=("unread_count",)),
    )
    def get(self, request):
        unread = parse_bool(request.query_params.get("unread"), attr="unread") or False
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.notifications_of(request.user, unread_only=unread), request, self)
        response = paginator.get_paginated_response(NotificationSerializer(page, many=True).data)
        response.data["unread_count"] = selectors.unread_count(request.user)
        return response


class NotificationReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        notification = services.mark_read(notification=selectors.notification_of(request.user, pk))
        return Response(NotificationSerializer(notification).data)


class PushSubscriptionListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=PushSubscriptionCreateSerializer, responses={201: PushSubscriptionSerializer})
    def post(self, request):
        """Register this browser for push messages (idempotent: the same endpoint again answers the same row)."""
        data = PushSubscriptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.register_push_subscription(
            user=request.user,
            endpoint=data.validated_data["endpoint"],
            p256dh=data.validated_data["keys"]["p256dh"],
            auth=data.validated_data["keys"]["auth"],
        )
        return Response(PushSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


class PushSubscriptionDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.delete_push_subscription(subscription=selectors.push_subscription_of(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VapidPublicKeyView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=VapidPublicKeySerializer)
    def get(self, request):
        return Response(VapidPublicKeySerializer({"public_key": settings.VAPID_PUBLIC_KEY or None}).data)
