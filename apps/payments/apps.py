from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.bookings.payments_port import register
        from apps.payments import receivers  # noqa: F401  (connects them)
        from apps.payments.services import Ledger

        register(Ledger())
