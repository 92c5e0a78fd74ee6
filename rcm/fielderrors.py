"""Shared plumbing for the clinical services (FieldErrors itself lives in rcm.errors)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from rcm.errors import FieldErrors

T = TypeVar("T")

__all__ = ["FieldErrors", "clean_text", "model_errors", "reject_unknown", "save_guarded"]


def model_errors(obj: models.Model, *, exclude: Iterable[str] = ()) -> ValidationError | None:
    """Field-level checks of the model (blank, length, choices); constraints are checked by the
    service with clearer messages and by the database as the backstop."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc
    return None


def save_guarded(save: Callable[[], T], *, field: str, message: str) -> T:
    """Run `save` in a savepoint; a constraint violation becomes a field error."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as exc:
        raise ValidationError({field: [message]}) from exc


def reject_unknown(given: Iterable[str], allowed: Iterable[str], what: str) -> None:
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise TypeError(f"{what}: unexpected field(s) {', '.join(unknown)}")


def clean_text(value: Any) -> str:
    return "" if value is None else str(value).strip()
