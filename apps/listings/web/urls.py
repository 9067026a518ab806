from django.urls import path

from apps.listings.web import availability_views, photo_views, views

urlpatterns = [
    path("", views.my_listings, name="my_listings"),
    # A new listing: three steps kept as a draft until it can be published (hidden).
    path("new/", views.create, name="listing_create"),
    path("new/location/", views.create_location, name="listing_create_location"),
    path("new/pricing/", views.create_pricing, name="listing_create_pricing"),
    path("locate/", views.geocode_address, name="listing_geocode"),
    # An existing listing: the five steps.
    path("<int:pk>/edit/", views.edit, name="listing_edit"),
    path("<int:pk>/location/", views.edit_location, name="listing_location"),
    path("<int:pk>/pricing/", views.edit_pricing, name="listing_pricing"),
    path("<int:pk>/photos/", photo_views.photos, name="listing_photos"),
    path("<int:pk>/photos/reorder/", photo_views.reorder, name="listing_photo_reorder"),
    path("<int:pk>/photos/<int:photo_id>/move/", photo_views.move, name="listing_photo_move"),
    path("<int:pk>/photos/<int:photo_id>/caption/", photo_views.caption, name="listing_photo_caption"),
    path("<int:pk>/photos/<int:photo_id>/delete/", photo_views.delete_photo, name="listing_delete_photo"),
    path("<int:pk>/availability/", availability_views.availability, name="listing_availability"),
    path("<int:pk>/availability/rules/", availability_views.rule_create, name="listing_rule_create"),
    path("<int:pk>/availability/rules/<int:rule_id>/", availability_views.rule_edit, name="listing_rule_edit"),
    path(
        "<int:pk>/availability/rules/<int:rule_id>/delete/", availability_views.rule_delete, name="listing_rule_delete"
    ),
    path("<int:pk>/availability/exceptions/", availability_views.exception_create, name="listing_exception_create"),
    path(
        "<int:pk>/availability/exceptions/<int:exception_id>/delete/",
        availability_views.exception_delete,
        name="listing_exception_delete",
    ),
    path("<int:pk>/toggle/", views.toggle_active, name="listing_toggle"),
    path("<int:pk>/delete/", views.delete, name="listing_delete"),
]
