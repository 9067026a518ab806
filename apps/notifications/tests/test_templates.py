"""Templates: one per notification type, seeded by a migration; rendered as plain text with the context of the
event; a missing, switched-off or broken template still gives a sensible notification."""

from datetime import UTC, datetime

import pytest
from django.apps import apps as django_apps
from django.template.base import FilterExpression, VariableNode
from django.template.defaulttags import IfNode

from apps.notifications import rendering
from apps.notifications.context import local_time
from apps.notifications.models import NotificationTemplate, NotificationType
from apps.notifications.services import notify
from apps.notifications.tests.conftest import SEED
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_a_template_for_every_notification_type_once():
    NotificationTemplate.objects.all().delete()

    SEED.create_templates(django_apps, None)
    SEED.create_templates(django_apps, None)  # applying again (or after staff added some) adds nothing twice

    templates = {template.name: template for template in NotificationTemplate.objects.all()}
    assert set(templates) == set(NotificationType.values)
    for template in templates.values():
        assert template.is_active and template.subject and template.email_template
        assert template.sms_template and template.push_template
        assert template.variables, f"{template.name} documents no variables"


def test_every_variable_a_seeded_template_uses_is_documented():
    for template in NotificationTemplate.objects.all():
        for field in rendering.TEMPLATE_FIELDS:
            source = getattr(template, field)
            for variable in _variables_in(source):
                assert variable in template.variables, f"{template.name}.{field} uses undocumented {variable}"


def _variables_in(source: str) -> set[str]:
    nodelist = rendering.compile_template(source).nodelist
    names = {str(node.filter_expression.var).split(".")[0] for node in nodelist.get_nodes_by_type(VariableNode)}

    def walk(condition) -> None:
        value = getattr(condition, "value", None)
        if isinstance(value, FilterExpression):
            names.add(str(value.var).split(".")[0])
        for part in (getattr(condition, "first", None), getattr(condition, "second", None)):
            if part is not None:
                walk(part)

    for node in nodelist.get_nodes_by_type(IfNode):
        for condition, _ in node.conditions_nodelists:
            if condition is not None:
                walk(condition)
    return names


def test_rendering_fills_the_variables_and_escapes_no_html():
    template = NotificationTemplate.objects.get(name=NotificationType.BOOKING_CONFIRMED)
    context = {
        "recipient_name": "Gil",
        "for_host": False,
        "listing_title": "Driveway near O'Hare <Terminal 5> & more",
        "listing_address": "1 Main St, Chicago, IL 60666",
        "start_time": "Sat, Dec 5, 9:00 AM CST",
        "end_time": "Sat, Dec 5, 11:00 AM CST",
        "total_amount": "$44.00",
        "url": "https://pinch.example/b/1?x=1&y=2",
    }

    texts = rendering.render_template(template, context)

    assert texts.title == "You're booked at Driveway near O'Hare <Terminal 5> & more"
    assert "Hi Gil," in texts.email_body
    assert "Total:  $44.00" in texts.email_body
    assert "https://pinch.example/b/1?x=1&y=2" in texts.email_body
    assert "&#x27;" not in texts.email_body + texts.sms_body + texts.message and "&amp;" not in texts.email_body
    assert texts.message == "Your parking on Sat, Dec 5, 9:00 AM CST is confirmed. Total $44.00."
    assert texts.sms_body.startswith("Parking in a Pinch: you're booked at Driveway near O'Hare")


def test_one_template_speaks_to_the_host_or_the_guest():
    template = NotificationTemplate.objects.get(name=NotificationType.BOOKING_CONFIRMED)
    context = {"guest_name": "Gil", "listing_title": "Rainey St garage", "start_time": "Mon, Jan 4, 8:00 AM CST"}

    assert rendering.render_template(template, {**context, "for_host": True}).title.startswith("New booking:")
    assert rendering.render_template(template, {**context, "for_host": False}).title.startswith("You're booked")


@pytest.mark.parametrize("state", ["missing", "inactive", "broken"])
def test_without_a_usable_template_the_notification_is_still_recorded(state, outbox_dir):
    template = NotificationTemplate.objects.get(name=NotificationType.LISTING_APPROVED)
    if state == "missing":
        template.delete()
    elif state == "inactive":
        NotificationTemplate.objects.filter(pk=template.pk).update(is_active=False)
    else:
        NotificationTemplate.objects.filter(pk=template.pk).update(subject="{% if %}")

    notification = notify(
        recipient=UserFactory(),
        notification_type=NotificationType.LISTING_APPROVED,
        context={"listing_title": "Sunny driveway", "url": "https://pinch.example/host/listings/"},
    )

    assert notification.title == "Listing approved: Sunny driveway"
    assert notification.message == "Listing approved. Open Parking in a Pinch for the details."
    assert notification.email_body.endswith("https://pinch.example/host/listings/")


@pytest.mark.parametrize(
    ("moment", "zone", "shown"),
    [
        (datetime(2026, 7, 4, 14, 30, tzinfo=UTC), "America/Chicago", "Sat, Jul 4, 9:30 AM CDT"),
        (datetime(2026, 12, 5, 15, 0, tzinfo=UTC), "America/Chicago", "Sat, Dec 5, 9:00 AM CST"),
        (datetime(2026, 12, 5, 4, 5, tzinfo=UTC), "America/Los_Angeles", "Fri, Dec 4, 8:05 PM PST"),
        (datetime(2026, 12, 5, 12, 0, tzinfo=UTC), "Not/AZone", "Sat, Dec 5, 12:00 PM UTC"),
    ],
)
def test_times_are_shown_in_the_listings_time_zone(moment, zone, shown):
    assert local_time(moment, zone) == shown


def test_a_template_text_is_parsed_once_and_an_edited_text_is_parsed_again():
    text = "Hello {{ name }} at {{ place }}"
    assert rendering.compile_template(text) is rendering.compile_template(text)
    assert rendering.render_text(text, {"name": "Ann", "place": "O'Hare"}) == "Hello Ann at O'Hare"
    assert rendering.render_text(text + "!", {"name": "Ann", "place": "Gate 2"}) == "Hello Ann at Gate 2!"
