from django.dispatch import Signal

# Sent after the transaction that first published a review commits: `review`. Notifications tell the reviewee.
review_published = Signal()
