"""Writes that every domain app shares: the audit log."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from apps.core.models import AuditLog
from apps.core.prepared import insert_row
from apps.core.request_context import current_request_context


def log_action(
    *,
    actor: Any | None,
    action: str,
    target: models.Model,
    description: str,
    old_values: dict | None = None,
    new_values: dict | None = None,
    additional_data: dict | None = None,
) -> AuditLog:
    """Write one audit row for `action` on `target`, in the caller's transaction.

    The request's address, user agent and path come from the request context (empty outside a request).
    """
    context = current_request_context()
    is_person = actor is not None and getattr(actor, "pk", None) is not None
    # Written with `insert_row` (no signal listens to audit rows): every booking writes two, every write one.
    return insert_row(
        AuditLog(
            user=actor if is_person else None,
            user_email=getattr(actor, "email", "") if is_person else "",
            action=action,
            description=description,
            content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
            object_id=target.pk,
            ip_address=context.ip_address,
            user_agent=context.user_agent,
            request_path=context.path,
            old_values=old_values or {},
            new_values=new_values or {},
            additional_data=additional_data or {},
        )
    )
