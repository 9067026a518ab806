"""Turning a notification template and its context into the texts of one notification.

Templates are Django templates rendered as plain text: nothing is HTML-escaped (a listing at "O'Hare" stays
"O'Hare" in a text message). The HTML part of an email is made from the plain body by escaping it then.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.loader import render_to_string

from apps.notifications.models import NotificationTemplate, NotificationType

logger = logging.getLogger(__name__)

# Django's built-in tags and filters only, no loaders, and no autoescaping: the output is never HTML.
ENGINE = Engine(autoescape=False, string_if_invalid="")
TEMPLATE_FIELDS = ("subject", "email_template", "sms_template", "push_template")
SMS_MAX_CHARS = 480  # three concatenated SMS segments; longer texts are cut


@dataclass(frozen=True)
class Rendered:
    title: str
    message: str
    email_body: str
    sms_body: str


@lru_cache(maxsize=256)
def compile_template(source: str) -> Template:
    """Parse a template's text; raises `TemplateSyntaxError` for a broken one. Parsed once per distinct text (a
    booking renders about a dozen templates; an edited template is a new text, so it is never served stale)."""
    return Template(source, engine=ENGINE)


def render_text(source: str, context: dict[str, Any]) -> str:
    return compile_template(source).render(Context(context, autoescape=False)).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_template(template: NotificationTemplate, context: dict[str, Any]) -> Rendered:
    title = _one_line(render_text(template.subject, context))[:200]
    email_body = render_text(template.email_template, context)
    push = _one_line(render_text(template.push_template, context)) if template.push_template else ""
    sms = _one_line(render_text(template.sms_template, context)) if template.sms_template else ""
    return Rendered(
        title=title,
        message=push or sms or email_body,
        email_body=email_body,
        sms_body=(sms or push or title)[:SMS_MAX_CHARS],
    )


def fallback(notification_type: str, context: dict[str, Any]) -> Rendered:
    """The texts when the type has no active template (or staff saved one that does not render): plain but true."""
    label = NotificationType(notification_type).label if notification_type in NotificationType.values else "Update"
    about = context.get("listing_title")
    title = f"{label}: {about}" if about else label
    message = f"{label}. Open Parking in a Pinch for the details."
    link = context.get("url") or context.get("site_url") or ""
    return Rendered(
        title=title[:200],
        message=message,
        email_body=f"{message}\n\n{link}".strip(),
        sms_body=f"Parking in a Pinch: {message} {link}".strip()[:SMS_MAX_CHARS],
    )


def render_notification(notification_type: str, context: dict[str, Any]) -> Rendered:
    template = NotificationTemplate.objects.filter(name=notification_type, is_active=True).first()
    if template is None:
        logger.warning("No active notification template for %s; sending the fallback text", notification_type)
        return fallback(notification_type, context)
    try:
        return render_template(template, context)
    except TemplateSyntaxError:
        # Staff edit templates in the admin (which refuses broken ones); a broken one must never fail the event.
        logger.exception("Notification template %s does not render; sending the fallback text", notification_type)
        return fallback(notification_type, context)


def email_html(*, title: str, body: str, url: str) -> str:
    """The HTML alternative of a notification email: the plain body, escaped, in a simple layout."""
    return render_to_string("notifications/email.html", {"title": title, "body": body, "url": url})
