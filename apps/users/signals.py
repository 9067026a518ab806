"""Django's own sign-in and sign-out (web sessions, admin) feed the same audit trail as the API."""

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from apps.core.security import client_ip
from apps.users import services

# Django's own receiver writes `last_login` before the request knows who is signing in, which row-level security
# rightly refuses; `record_login` writes it (and the address) on behalf of the account that just proved itself.
user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")


@receiver(user_logged_in)
def record_session_login(sender, request, user, **kwargs) -> None:
    services.record_login(user=user, ip_address=client_ip(request) if request else None)


@receiver(user_logged_out)
def record_session_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        services.record_logout(user=user)
