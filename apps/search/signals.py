from django.dispatch import Signal

# Sent after a search answered, for analytics: `params` (SearchParams), `result_ids`, `count`, `request`.
listings_searched = Signal()
