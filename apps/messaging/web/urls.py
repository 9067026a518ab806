from django.urls import path

from apps.messaging.web import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.start, name="conversation_start"),
    path("<int:pk>/", views.thread, name="conversation"),
    path("<int:pk>/new/", views.new_messages, name="conversation_poll"),
    path("messages/<int:pk>/delete/", views.delete_message, name="message_delete"),
    path("messages/<int:pk>/report/", views.report_message, name="message_report"),
    path("messages/<int:pk>/attachments/<int:index>/", views.attachment, name="message_attachment"),
]
