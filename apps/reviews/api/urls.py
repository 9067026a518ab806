from django.urls import path

from apps.reviews.api import views

urlpatterns = [
    path("listings/<int:pk>/reviews", views.ListingReviewsView.as_view(), name="api-listing-reviews"),
]
