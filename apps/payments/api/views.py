"""Payment endpoints of API.md: saved cards, the user's ledger, host payouts, the provider's webhook."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import PAGE_PARAMETERS, PageNumberPagination, paginated
from apps.payments import selectors, services
from apps.payments.api import serializers
from apps.payments.gateways import get_gateway


def _page(request, view, queryset, serializer_class):
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class PaymentMethodListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses=paginated(serializers.PaymentMethodSerializer))
    def get(self, request):
        return _page(request, self, selectors.payment_methods_of(request.user), serializers.PaymentMethodSerializer)

    @extend_schema(
        request=serializers.PaymentMethodCreateSerializer, responses={201: serializers.PaymentMethodSerializer}
    )
    def post(self, request):
        data = serializers.PaymentMethodCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        method = services.save_payment_method(user=request.user, **data.validated_data)
        return Response(serializers.PaymentMethodSerializer(method).data, status=status.HTTP_201_CREATED)


class PaymentMethodDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.delete_payment_method(method=selectors.payment_method_of(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PaymentMethodDefaultView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=serializers.PaymentMethodSerializer)
    def post(self, request, pk: int):
        method = services.make_default_payment_method(method=selectors.payment_method_of(request.user, pk))
        return Response(serializers.PaymentMethodSerializer(method).data)


class TransactionListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses=paginated(serializers.TransactionSerializer))
    def get(self, request):
        return _page(request, self, selectors.transactions_of(request.user), serializers.TransactionSerializer)


class PayoutListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses=paginated(serializers.PayoutSerializer))
    def get(self, request):
        return _page(request, self, selectors.payouts_of(request.user), serializers.PayoutSerializer)


class WebhookView(APIView):
    """Signed events from the payment provider (Stripe's signature scheme). A bad signature is a 400; an event
    seen before is acknowledged and ignored."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=None, responses={200: serializers.WebhookAnswerSerializer})
    def post(self, request):
        event = get_gateway().parse_webhook(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature", "")
        )
        is_new = services.handle_provider_event(event_id=event.id, event_type=event.type, data=event.data)
        return Response({"received": True, "duplicate": not is_new})
