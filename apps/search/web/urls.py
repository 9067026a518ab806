from django.urls import path

from apps.search.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/quote/", views.listing_quote, name="listing_quote"),
    path("listings/<int:pk>/calendar/", views.listing_calendar, name="listing_calendar"),
]
