from django.urls import path

from apps.bookings.api import serializers, views

urlpatterns = [
    path("listings/<int:pk>/quote", views.QuoteView.as_view(), name="api-listing-quote"),
    path("listings/<int:pk>/availability", views.AvailabilityView.as_view(), name="api-listing-availability"),
    path("bookings", views.BookingCollectionView.as_view(), name="api-bookings"),
    path("bookings/<uuid:booking_code>", views.BookingDetailView.as_view(), name="api-booking"),
    path(
        "bookings/<uuid:booking_code>/cancellation-terms",
        views.CancellationTermsView.as_view(),
        name="api-booking-cancellation-terms",
    ),
    path("bookings/<uuid:booking_code>/approve", views.action_view("approve", None), name="api-booking-approve"),
    path(
        "bookings/<uuid:booking_code>/decline",
        views.action_view("decline", serializers.ReasonSerializer),
        name="api-booking-decline",
    ),
    path(
        "bookings/<uuid:booking_code>/cancel",
        views.action_view("cancel", serializers.ReasonSerializer),
        name="api-booking-cancel",
    ),
    path(
        "bookings/<uuid:booking_code>/check-in",
        views.action_view("check-in", {"multipart/form-data": serializers.CheckPhotoSerializer}),
        name="api-booking-check-in",
    ),
    path(
        "bookings/<uuid:booking_code>/check-out",
        views.action_view("check-out", {"multipart/form-data": serializers.CheckPhotoSerializer}),
        name="api-booking-check-out",
    ),
    path("bookings/<uuid:booking_code>/no-show", views.action_view("no-show", None), name="api-booking-no-show"),
]
