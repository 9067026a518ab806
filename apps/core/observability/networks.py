"""Addresses and networks given in settings (`METRICS_ALLOWED_IPS`), checked when the settings load."""

import ipaddress
from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def ip_networks(entries: Iterable[str], *, name: str) -> tuple[Network, ...]:
    """`127.0.0.1`, `10.0.0.0/8`, `::1/128`... as networks; anything else stops the start, naming the setting."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not an IP address or network") from error
    return tuple(networks)
