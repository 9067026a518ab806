from django.urls import path

from apps.bookings.api import views

urlpatterns = [
    path("listings/<int:pk>/quote", views.QuoteView.as_view(), name="api-listing-quote"),
    path("listings/<int:pk>/availability", views.AvailabilityView.as_view(), name="api-listing-availability"),
]
