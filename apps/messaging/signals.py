from django.dispatch import Signal

# Sent after a new message has been committed: kwargs `message` (apps.messaging.models.Message) and `recipients`
# (the participants other than the sender). The notifications app turns it into MESSAGE_RECEIVED notifications.
message_posted = Signal()
