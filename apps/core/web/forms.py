from django import forms

from apps.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal next to the field it names (or at the top of the form)."""
    field = error.attr if error.attr in form.fields else None
    form.add_error(field, error.detail)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several image files in one input, cleaned to a list (empty when none is given and none is required). The
    images themselves are checked by the service that stores them (`apps.core.images.clean_image`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        if not items:
            single(None, initial)  # "This field is required." when it is
            return []
        return [single(item, initial) for item in items]
