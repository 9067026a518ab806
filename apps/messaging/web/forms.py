from django import forms
from django.conf import settings


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several image files in one input (checked by the service, like listing photos)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


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
