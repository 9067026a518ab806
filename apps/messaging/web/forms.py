from django import forms
from django.conf import settings

from apps.core.web.forms import MultipleImageField


class MessageForm(forms.Form):
    content = forms.CharField(
        label="Message",
        max_length=settings.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Write a message…"}),
    )
    attachments = MultipleImageField(label="Photos (optional)", required=False)


class FirstMessageForm(MessageForm):
    content = forms.CharField(
        label="Your message",
        max_length=settings.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Ask about access, size, timing…"}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label="What is wrong with this message?", max_length=1000)
