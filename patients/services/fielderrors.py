"""Shared plumbing for the clinical services: collect field errors, then raise them together."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

T = TypeVar("T")


class FieldErrors:
    """Accumulates `{field: [message]}` so a form shows every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def require(self, ok: bool, field: str, message: str) -> bool:
        if not ok:
            self.add(field, message)
        return ok

    def merge(self, exc: ValidationError, prefix: str = "") -> None:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for field, messages in detail.items():
            for message in messages:
                self.add(f"{prefix}{field}", message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


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
