from django.urls import path

from apps.messaging.api import views

urlpatterns = [
    path("conversations", views.ConversationListView.as_view(), name="api-conversations"),
    path("conversations/<int:pk>/messages", views.ConversationMessagesView.as_view(), name="api-conversation-messages"),
    path("conversations/<int:pk>/read", views.ConversationReadView.as_view(), name="api-conversation-read"),
    path("messages/<int:pk>", views.MessageView.as_view(), name="api-message"),
    path("messages/<int:pk>/flag", views.MessageFlagView.as_view(), name="api-message-flag"),
    path(
        "messages/<int:pk>/attachments/<int:index>",
        views.MessageAttachmentView.as_view(),
        name="api-message-attachment",
    ),
]
