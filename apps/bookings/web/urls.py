from django.urls import path

from apps.bookings.web import views

urlpatterns = [
    path("", views.my_bookings, name="my_bookings"),
    path("new/", views.new, name="booking_new"),
    path("new/quote/", views.quote_fragment, name="booking_quote"),
    path("<uuid:booking_code>/", views.detail, name="booking_detail"),
    path("<uuid:booking_code>/cancel/", views.cancel, name="booking_cancel"),
    path("<uuid:booking_code>/check-in/", views.check_in, name="booking_check_in"),
    path("<uuid:booking_code>/check-out/", views.check_out, name="booking_check_out"),
]
