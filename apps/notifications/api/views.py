from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import PageNumberPagination
from apps.core.api.params import parse_bool
from apps.notifications import selectors, services
from apps.notifications.api.serializers import NotificationSerializer


class NotificationListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL)], responses=NotificationSerializer(many=True)
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
