from django.urls import path

from apps.notifications.web import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/open/", views.open_notification, name="notification_open"),
]
