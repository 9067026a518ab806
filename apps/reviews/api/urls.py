from django.urls import path

from apps.reviews.api import views

urlpatterns = [
    path("listings/<int:pk>/reviews", views.ListingReviewsView.as_view(), name="api-listing-reviews"),
    path("bookings/<uuid:booking_code>/reviews", views.BookingReviewView.as_view(), name="api-booking-reviews"),
    path("reviews/<int:pk>/response", views.ReviewResponseView.as_view(), name="api-review-response"),
    path("reviews/<int:pk>/report", views.ReviewReportView.as_view(), name="api-review-report"),
]
