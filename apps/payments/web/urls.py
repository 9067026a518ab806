from django.urls import path

from apps.payments.web import views

urlpatterns = [
    path("", views.earnings, name="host_earnings"),
]
