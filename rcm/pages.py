"""What the payer and facility pages share: service errors onto forms, and the create/edit page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Service errors onto the form: a field's own error, else a non-field error naming it."""
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages_ in detail.items():
        for message in messages_:
            if field in form.fields:
                form.add_error(field, message)
            else:
                where = (
                    ""
                    if field in ("__all__", "non_field_errors")
                    else f"{field.replace('_', ' ').capitalize()}: "
                )
                form.add_error(None, f"{where}{message}")


def save_valid(form: forms.Form, save: Callable[[], Any]) -> Any:
    """Run `save` when the form is valid; service errors land on the form. None = not saved."""
    if not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as exc:
        add_errors(form, exc)
        return None


def page(
    request: HttpRequest, template: str, context: dict[str, Any], form: forms.Form
) -> HttpResponse:
    """The page, answering 400 when the bound form has errors."""
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, template, context, status=status)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[], Any],
    *,
    template: str,
    context: dict[str, Any],
    done: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """A create/edit page: a POST that saves says so and answers `done(saved)`; else the form."""
    if request.method == "POST":
        saved = save_valid(form, save)
        if saved is not None:
            messages.success(request, f"Saved {saved.name}.")
            return done(saved)
    return page(request, template, {"form": form, **context}, form)
