from django.urls import path

from apps.bookings.web import host

urlpatterns = [
    path("", host.requests, name="host_requests"),
    path("<uuid:booking_code>/approve/", host.approve, name="host_booking_approve"),
    path("<uuid:booking_code>/decline/", host.decline, name="host_booking_decline"),
    path("<uuid:booking_code>/no-show/", host.no_show, name="host_booking_no_show"),
    path("calendar/", host.calendar_pick, name="host_calendar_pick"),
    path("calendar/<int:listing_id>/", host.calendar, name="host_calendar"),
]
