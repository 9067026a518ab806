from django.urls import path

from apps.core.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
