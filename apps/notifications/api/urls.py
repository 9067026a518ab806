from django.urls import path

from apps.notifications.api import views

urlpatterns = [
    path("notifications", views.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/<int:pk>/read", views.NotificationReadView.as_view(), name="api-notification-read"),
]
