"""Files under `OUTBOX_DIR` that stand in for outside channels (SMS, push) in the local set-up."""

import json
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone


def write_outbox_json(*, channel: str, payload: dict[str, Any]) -> Path:
    """Write one outgoing message as `OUTBOX_DIR/<channel>/<time>-<id>.json` and return its path."""
    folder = Path(settings.OUTBOX_DIR) / channel
    folder.mkdir(parents=True, exist_ok=True)
    message_id = uuid.uuid4().hex
    path = folder / f"{timezone.now():%Y%m%dT%H%M%S%f}-{message_id[:8]}.json"
    document = {"id": message_id, "channel": channel, "created_at": timezone.now().isoformat(), **payload}
    path.write_text(json.dumps(document, indent=2, default=str))
    return path
