from django.urls import path

from apps.listings.api import views

urlpatterns = [
    path("listings/<int:pk>", views.ListingDetailView.as_view(), name="api-listing"),
    path("listings/<int:pk>/activate", views.ListingActivationView.as_view(activate=True), name="api-listing-activate"),
    path(
        "listings/<int:pk>/deactivate",
        views.ListingActivationView.as_view(activate=False),
        name="api-listing-deactivate",
    ),
    path("listings/<int:pk>/photos", views.PhotoListView.as_view(), name="api-listing-photos"),
    path("listings/<int:pk>/photos/order", views.PhotoOrderView.as_view(), name="api-listing-photo-order"),
    path("listings/<int:pk>/photos/<int:photo_id>", views.PhotoDetailView.as_view(), name="api-listing-photo"),
    path("listings/<int:pk>/availability-rules", views.RuleListView.as_view(), name="api-listing-rules"),
    path("listings/<int:pk>/availability-rules/<int:rule_id>", views.RuleDetailView.as_view(), name="api-listing-rule"),
    path("listings/<int:pk>/availability-exceptions", views.ExceptionListView.as_view(), name="api-listing-exceptions"),
    path(
        "listings/<int:pk>/availability-exceptions/<int:exception_id>",
        views.ExceptionDetailView.as_view(),
        name="api-listing-exception",
    ),
    path("host/listings", views.HostListingsView.as_view(), name="api-host-listings"),
]
