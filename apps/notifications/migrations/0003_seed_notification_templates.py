"""One template per notification type: subject, email body, SMS text and push text, rendered as plain-text Django
templates (no HTML escaping). Staff edit them in the admin afterwards; this migration only creates the missing
ones and, unapplied, removes those it would create."""

from django.db import migrations

SIGNATURE = "\n\nThe Parking in a Pinch team"

BOOKING_VARIABLES = {
    "recipient_name": "First name of the person notified ('there' when unknown)",
    "for_host": "True when the host is notified, false for the guest",
    "booking_code": "The booking's code",
    "listing_title": "Title of the listing",
    "listing_address": "Street address, city, state and ZIP of the listing",
    "guest_name": "First name of the guest",
    "host_name": "First name of the host",
    "start_time": "Start, in the listing's time zone (e.g. 'Sat, Dec 5, 9:00 AM CST')",
    "end_time": "End, in the listing's time zone",
    "vehicle": "Colour, make, model and plate of the guest's vehicle",
    "total_amount": "What the guest pays, e.g. '$44.00'",
    "host_payout": "What the host earns from the booking",
    "refund_amount": "What is refunded to the guest (empty when nothing)",
    "url": "Link to the booking",
    "site_url": "Link to the site (e.g. to search again)",
}
BASE_VARIABLES = {key: BOOKING_VARIABLES[key] for key in ("recipient_name", "site_url")}

TEMPLATES = {
    "BOOKING_REQUESTED": {
        "subject": "New request: {{ guest_name }} wants to park at {{ listing_title }}",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "{{ guest_name }} would like to park at {{ listing_title }}.\n\n"
            "  From:     {{ start_time }}\n"
            "  Until:    {{ end_time }}\n"
            "  Vehicle:  {{ vehicle }}\n"
            "  You earn: {{ host_payout }}\n\n"
            "Please approve or decline within 24 hours. If you don't answer, the request expires and "
            "{{ guest_name }} isn't charged.\n\n"
            "Answer the request: {{ url }}" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: {{ guest_name }} asks to park at {{ listing_title }} on {{ start_time }}. "
            "Please answer within 24 hours: {{ url }}"
        ),
        "push_template": "{{ guest_name }} asks to park on {{ start_time }}. Approve or decline within 24 hours.",
        "variables": BOOKING_VARIABLES,
    },
    "BOOKING_CONFIRMED": {
        "subject": (
            "{% if for_host %}New booking: {{ listing_title }}, {{ start_time }}"
            "{% else %}You're booked at {{ listing_title }}{% endif %}"
        ),
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "{% if for_host %}"
            "{{ guest_name }} booked {{ listing_title }}.\n\n"
            "  From:     {{ start_time }}\n"
            "  Until:    {{ end_time }}\n"
            "  Vehicle:  {{ vehicle }}\n"
            "  You earn: {{ host_payout }}\n\n"
            "See the booking: {{ url }}"
            "{% else %}"
            "Your parking at {{ listing_title }} is confirmed.\n\n"
            "  Where:  {{ listing_address }}\n"
            "  From:   {{ start_time }}\n"
            "  Until:  {{ end_time }}\n"
            "  Total:  {{ total_amount }}\n\n"
            "The gate code and access instructions show up in your booking 24 hours before you arrive: {{ url }}"
            "{% endif %}" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: "
            "{% if for_host %}{{ guest_name }} booked {{ listing_title }} for {{ start_time }}. {{ url }}"
            "{% else %}you're booked at {{ listing_title }}, {{ start_time }} to {{ end_time }}. {{ url }}{% endif %}"
        ),
        "push_template": (
            "{% if for_host %}{{ guest_name }} booked {{ start_time }} to {{ end_time }}."
            "{% else %}Your parking on {{ start_time }} is confirmed. Total {{ total_amount }}.{% endif %}"
        ),
        "variables": BOOKING_VARIABLES,
    },
    "BOOKING_DECLINED": {
        "subject": "Request declined: {{ listing_title }}",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "Sorry, the host can't take your booking at {{ listing_title }} on {{ start_time }}. "
            "The hold on your card has been released, so you won't be charged.\n\n"
            "There are other spaces nearby: {{ site_url }}" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: your request for {{ listing_title }} on {{ start_time }} was declined. "
            "You weren't charged."
        ),
        "push_template": "The host couldn't take your booking on {{ start_time }}. You weren't charged.",
        "variables": BOOKING_VARIABLES,
    },
    "BOOKING_CANCELLED": {
        "subject": "Cancelled: {{ listing_title }}, {{ start_time }}",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "{{ cancelled_by }} cancelled the booking at {{ listing_title }} on {{ start_time }}."
            "{% if reason %}\n\nReason given: \"{{ reason }}\"{% endif %}\n\n"
            "{% if for_host %}The space is free again for those times."
            "{% elif refund_amount %}{{ refund_amount }} is on its way back to your card; "
            "it usually shows up within 5 to 10 business days."
            "{% else %}Nothing was charged for this booking.{% endif %}\n\n"
            "See the booking: {{ url }}" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: your booking at {{ listing_title }} on {{ start_time }} was cancelled."
            "{% if not for_host and refund_amount %} Refund: {{ refund_amount }}.{% endif %}"
        ),
        "push_template": (
            "{{ cancelled_by }} cancelled the booking on {{ start_time }}."
            "{% if not for_host and refund_amount %} Refund: {{ refund_amount }}.{% endif %}"
        ),
        "variables": {
            **BOOKING_VARIABLES,
            "cancelled_by": "Who cancelled: the guest's first name, 'Your host', or 'Parking in a Pinch'",
            "reason": "The reason given when cancelling (may be empty)",
        },
    },
    "BOOKING_EXPIRED": {
        "subject": "Request expired: {{ listing_title }}",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "The host of {{ listing_title }} didn't answer your request for {{ start_time }} within 24 hours, "
            "so it has expired. The hold on your card has been released: you weren't charged.\n\n"
            "Find another space: {{ site_url }}" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: your request for {{ listing_title }} on {{ start_time }} expired without an "
            "answer. You weren't charged."
        ),
        "push_template": "Your request for {{ start_time }} expired: the host didn't answer. You weren't charged.",
        "variables": BOOKING_VARIABLES,
    },
    "PAYMENT_RECEIVED": {
        "subject": "Payment received for {{ listing_title }}",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "{{ guest_name }}'s payment of {{ total_amount }} for {{ listing_title }} "
            "({{ start_time }} to {{ end_time }}) went through.\n\n"
            "Your share, {{ host_payout }}, goes out with the weekly payout after the stay.\n\n"
            "See the booking: {{ url }}" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: payment of {{ total_amount }} received for {{ listing_title }} ({{ start_time }}). "
            "You earn {{ host_payout }}."
        ),
        "push_template": "{{ guest_name }} paid {{ total_amount }} for {{ start_time }}. You earn {{ host_payout }}.",
        "variables": BOOKING_VARIABLES,
    },
    "PAYOUT_SENT": {
        "subject": "Your payout of {{ amount }} is on its way",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "We've sent {{ amount }} for {{ booking_count }} booking{{ booking_count|pluralize }} "
            "({{ period }}) to your payout account. Depending on your bank, it arrives within 2 to 5 business "
            "days.\n\n"
            "Your payouts: {{ url }}" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: we sent you {{ amount }} for {{ booking_count }} "
            "booking{{ booking_count|pluralize }}."
        ),
        "push_template": "We sent you {{ amount }} for {{ booking_count }} booking{{ booking_count|pluralize }}.",
        "variables": {
            **BASE_VARIABLES,
            "amount": "The amount paid out, e.g. '$412.30'",
            "booking_count": "How many bookings the payout covers",
            "period": "The dates the bookings ended, e.g. 'Nov 2 to Nov 8, 2026'",
            "url": "Link to the host's payouts",
        },
    },
    "MESSAGE_RECEIVED": {
        "subject": "{{ sender_name }} sent you a message{% if listing_title %} about {{ listing_title }}{% endif %}",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "{{ sender_name }} wrote:\n\n"
            "  \"{{ message_preview }}\"\n\n"
            "Reply here: {{ url }}\n\n"
            "We won't email you about more messages in this conversation until you've read this one." + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: new message from {{ sender_name }}: "
            "\"{{ message_preview|truncatechars:80 }}\" {{ url }}"
        ),
        "push_template": "{{ sender_name }}: {{ message_preview }}",
        "variables": {
            **BASE_VARIABLES,
            "sender_name": "First name of the person who wrote",
            "message_preview": "The start of the message (up to 200 characters)",
            "listing_title": "Title of the listing the conversation is about (may be empty)",
            "url": "Link to the conversation",
        },
    },
    "LISTING_APPROVED": {
        "subject": "{{ listing_title }} is live",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "Good news: {{ listing_title }} has been approved, and drivers can now find and book it.\n\n"
            "Keep your prices and availability up to date so it books well: {{ url }}" + SIGNATURE
        ),
        "sms_template": "Parking in a Pinch: {{ listing_title }} is approved and live. Drivers can book it now.",
        "push_template": "{{ listing_title }} is approved: drivers can book it now.",
        "variables": {
            **BASE_VARIABLES,
            "listing_title": "Title of the listing",
            "url": "Link to the host's listings",
        },
    },
    "REVIEW_RECEIVED": {
        "subject": "{{ reviewer_name }} reviewed you",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "{{ reviewer_name }} left you a {{ rating }}-star review after the booking at {{ listing_title }}.\n\n"
            "Read it, and reply if you like: {{ url }}" + SIGNATURE
        ),
        "sms_template": "Parking in a Pinch: {{ reviewer_name }} left you a {{ rating }}-star review. {{ url }}",
        "push_template": "{{ reviewer_name }} left you a {{ rating }}-star review.",
        "variables": {
            **BASE_VARIABLES,
            "reviewer_name": "First name of the reviewer",
            "rating": "The overall rating, 1 to 5",
            "listing_title": "Title of the listing booked",
            "url": "Link to the review",
        },
    },
    "REMINDER_CHECKIN": {
        "subject": "Your parking at {{ listing_title }} starts soon",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "Your parking at {{ listing_title }} starts at {{ start_time }}.\n\n"
            "  Address: {{ listing_address }}\n"
            "  Until:   {{ end_time }}\n\n"
            "The gate code and access instructions are in your booking: {{ url }}\n"
            "Check in there when you arrive (from 15 minutes before the start).\n\n"
            "Safe travels!" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: your parking at {{ listing_address }} starts at {{ start_time }}. "
            "Access details: {{ url }}"
        ),
        "push_template": "Your parking at {{ listing_title }} starts at {{ start_time }}. Check in when you arrive.",
        "variables": BOOKING_VARIABLES,
    },
    "REMINDER_CHECKOUT": {
        "subject": "Your parking at {{ listing_title }} ends at {{ end_time }}",
        "email_template": (
            "Hi {{ recipient_name }},\n\n"
            "A heads-up: your parking at {{ listing_title }} ends at {{ end_time }}. Please move your vehicle "
            "by then and check out in your booking: {{ url }}\n\n"
            "Thanks for parking with us!" + SIGNATURE
        ),
        "sms_template": (
            "Parking in a Pinch: your parking ends at {{ end_time }}. Please move your vehicle and check out: "
            "{{ url }}"
        ),
        "push_template": "Your parking ends at {{ end_time }}. Please check out when you leave.",
        "variables": BOOKING_VARIABLES,
    },
}


def create_templates(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    existing = set(NotificationTemplate.objects.values_list("name", flat=True))
    NotificationTemplate.objects.bulk_create(
        NotificationTemplate(name=name, is_active=True, **fields)
        for name, fields in TEMPLATES.items()
        if name not in existing
    )


def remove_templates(apps, schema_editor):
    apps.get_model("notifications", "NotificationTemplate").objects.filter(name__in=TEMPLATES).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_delivery_state_and_push_subscriptions")]

    operations = [migrations.RunPython(create_templates, remove_templates)]
