from django.urls import path

from apps.analytics.web import views

urlpatterns = [
    path("", views.dashboard, name="host_dashboard"),
]
