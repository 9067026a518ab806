"""Files under `OUTBOX_DIR` that stand in for outside channels (SMS, push) in the local set-up."""

import json
import re
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def outbox_file_name(key: str) -> str:
    """A file name made from a caller's key (an idempotency key, a Message-ID): same key, same name."""
    return _UNSAFE.sub("_", key).strip("._") or "message"


def write_outbox_json(*, channel: str, payload: dict[str, Any], name: str | None = None) -> Path:
    """Write one outgoing message as `OUTBOX_DIR/<channel>/<time>-<id>.json` and return its path.

    With a `name` (the sender's idempotency key) the file is `<name>.json`, written once: a second message with
    the same name is the same message sent again, so the first file stands and its path is returned.
    """
    folder = Path(settings.OUTBOX_DIR) / channel
    folder.mkdir(parents=True, exist_ok=True)
    if name is not None:
        message_id = outbox_file_name(name)
        path = folder / f"{message_id}.json"
    else:
        message_id = uuid.uuid4().hex
        path = folder / f"{timezone.now():%Y%m%dT%H%M%S%f}-{message_id[:8]}.json"
    document = {"id": message_id, "channel": channel, "created_at": timezone.now().isoformat(), **payload}
    try:
        # "x": never overwrite, so two senders racing on one name leave exactly one file.
        with path.open("x") as file:
            file.write(json.dumps(document, indent=2, default=str))
    except FileExistsError:
        if name is None:
            raise
    return path
