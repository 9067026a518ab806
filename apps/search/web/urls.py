from django.urls import path  # noqa: F401  (views are added here)

urlpatterns: list = []
