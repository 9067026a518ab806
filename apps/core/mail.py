"""An email backend that writes each message to `OUTBOX_DIR/email/` as one `.eml` file.

It is the local default (no mail server needed): a person opens the files in any mail reader, a test parses them
with the `email` module. Production uses SMTP or anymail through Django's own `EMAIL_BACKEND` setting.
"""

import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class OutboxEmailBackend(BaseEmailBackend):
    _lock = threading.Lock()

    def send_messages(self, email_messages) -> int:
        folder = Path(settings.OUTBOX_DIR) / "email"
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            with self._lock:
                path.write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent
