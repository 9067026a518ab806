"""How the payments domain answers events of the apps below it."""

from django.dispatch import receiver

from apps.payments.models import PaymentMethod
from apps.users.services import account_deleted


@receiver(account_deleted)
def forget_saved_cards(sender, user, **kwargs) -> None:
    """A deleted account keeps its ledger (the law wants it) but not its saved cards."""
    PaymentMethod.objects.filter(user=user).delete()
