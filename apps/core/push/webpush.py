"""Web Push (RFC 8030, encrypted per RFC 8291, authenticated with VAPID per RFC 8292) through `pywebpush`.

The browser's push service (Mozilla's, Google's FCM, Apple's) gives each subscription an endpoint URL; the message
is encrypted for the subscription's keys and POSTed there. `VAPID_PRIVATE_KEY` is the application server's key:
base64url of the raw 32-byte P-256 private key (what `manage.py generate_vapid_keys` prints) or a path to a PEM
file; browsers subscribe with the matching `VAPID_PUBLIC_KEY`.
"""

import json
import os
from typing import Any

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from apps.core.push.base import PushDeliveryError, PushReceipt, PushSubscriptionGone, PushSubscriptionInfo

GONE_STATUSES = {404, 410}


class WebPushGateway:
    def __init__(self) -> None:
        key = settings.VAPID_PRIVATE_KEY
        if not key:
            raise PushDeliveryError("VAPID_PRIVATE_KEY is not set; Web Push cannot sign its messages.")
        self.vapid = Vapid.from_file(key) if os.path.isfile(key) else Vapid.from_string(key)
        self.subject = f"mailto:{settings.VAPID_CLAIMS_EMAIL}"
        self.session = requests.Session()

    def send(
        self, *, subscription: PushSubscriptionInfo, payload: dict[str, Any], idempotency_key: str | None = None
    ) -> PushReceipt:
        # Push services keep no idempotency key; callers record each push as soon as the service accepts it.
        try:
            response = webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=json.dumps(payload),
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.subject},  # pywebpush adds `aud` and `exp` to this dict: a new one per call
                ttl=settings.PUSH_TTL_SECONDS,
                timeout=settings.PUSH_TIMEOUT_SECONDS,
                requests_session=self.session,
            )
        except WebPushException as error:
            if error.status_code in GONE_STATUSES:
                raise PushSubscriptionGone(f"The push service answered {error.status_code}.") from error
            raise PushDeliveryError(error.message) from error
        except (requests.RequestException, ValueError) as error:
            raise PushDeliveryError(str(error)) from error
        return PushReceipt(provider="webpush", message_id=response.headers.get("Location", ""))
