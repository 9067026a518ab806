from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.bookings.payments_port import register, register_checkout
        from apps.payments import receivers  # noqa: F401  (connects them)
        from apps.payments.checkout import Checkout
        from apps.payments.services import Ledger

        register(Ledger())
        register_checkout(Checkout())
