from django.dispatch import Signal

# Sent when someone opens a listing's public detail: `listing_id`, `request`. Analytics records it.
listing_viewed = Signal()
