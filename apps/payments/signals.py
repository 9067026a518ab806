from django.dispatch import Signal

# Sent after the transaction that recorded a payout as paid commits: `payout`. Notifications tell the host.
payout_sent = Signal()
