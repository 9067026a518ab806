"""An email backend that writes each message to `OUTBOX_DIR/email/` as one `.eml` file.

It is the local default (no mail server needed): a person opens the files in any mail reader, a test parses them
with the `email` module. Production uses SMTP or anymail through Django's own `EMAIL_BACKEND` setting.

A message that carries its own `Message-ID` (notifications set `<notification-{id}@domain>`) is written as
`<that id>.eml`, once: sending it again is the same message, so the outbox stays as a mail server that dedupes
by Message-ID would leave it.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from apps.core.outbox import outbox_file_name


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.OUTBOX_DIR) / "email"
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            message_id = next(
                (value for header, value in message.extra_headers.items() if header.lower() == "message-id"), None
            )
            if message_id:
                path = folder / f"{outbox_file_name(message_id.strip('<>'))}.eml"
            else:
                stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
                path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            try:
                # "x": never overwrite, so two workers sending one message at once leave exactly one file.
                with path.open("xb") as file:
                    file.write(message.message().as_bytes(linesep="\n"))
            except FileExistsError:
                if not message_id:
                    raise
            sent += 1
        return sent
