from django.urls import path

from apps.payments.api import views

urlpatterns = [
    path("payment-methods", views.PaymentMethodListView.as_view(), name="api-payment-methods"),
    path("payment-methods/<int:pk>", views.PaymentMethodDetailView.as_view(), name="api-payment-method"),
    path(
        "payment-methods/<int:pk>/default", views.PaymentMethodDefaultView.as_view(), name="api-payment-method-default"
    ),
    path("transactions", views.TransactionListView.as_view(), name="api-transactions"),
    path("payouts", views.PayoutListView.as_view(), name="api-payouts"),
    path("payments/webhook", views.WebhookView.as_view(), name="api-payments-webhook"),
]
