from django.urls import path

from apps.listings.web import views

urlpatterns = [
    path("", views.my_listings, name="my_listings"),
    path("new/", views.create, name="listing_create"),
    path("<int:pk>/edit/", views.edit, name="listing_edit"),
    path("<int:pk>/photos/", views.add_photo, name="listing_add_photo"),
    path("<int:pk>/photos/<int:photo_id>/delete/", views.delete_photo, name="listing_delete_photo"),
    path("<int:pk>/toggle/", views.toggle_active, name="listing_toggle"),
    path("<int:pk>/delete/", views.delete, name="listing_delete"),
]
