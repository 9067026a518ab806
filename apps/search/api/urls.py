from django.urls import path

from apps.search.api import views

urlpatterns = [
    path("listings", views.ListingCollectionView.as_view(), name="api-listings"),
]
