from django.dispatch import Signal

# Sent when someone opens a listing's public detail: `listing_id`, `request`. Analytics records it.
listing_viewed = Signal()

# Sent after the transaction that switched a listing on (by its host, or approved by staff) commits: `listing`,
# `actor`. Notifications tell the host when someone else approved it.
listing_activated = Signal()
