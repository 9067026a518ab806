from django.urls import path

from apps.analytics.api import views

urlpatterns = [
    path("host/analytics", views.HostAnalyticsView.as_view(), name="api-host-analytics"),
]
