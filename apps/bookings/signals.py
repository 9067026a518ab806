from django.dispatch import Signal

# Sent after the transaction that changed a booking's status commits: `booking`, `old_status` (None when created),
# `actor`. Notifications and analytics listen.
booking_status_changed = Signal()
