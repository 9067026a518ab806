from django.urls import path

from apps.reviews.web import views

urlpatterns = [
    path("", views.my_reviews, name="my_reviews"),
    path("write/<uuid:booking_code>/", views.write, name="review_write"),
    path("<int:pk>/respond/", views.respond, name="review_respond"),
    path("<int:pk>/report/", views.report, name="review_report"),
]
