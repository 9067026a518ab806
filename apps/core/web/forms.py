from django import forms

from apps.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal next to the field it names (or at the top of the form)."""
    field = error.attr if error.attr in form.fields else None
    form.add_error(field, error.detail)
