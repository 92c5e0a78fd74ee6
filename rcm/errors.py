"""Field-error collection shared by every app's services: gather `{field: [message]}` and raise
one ValidationError, so a form or an API response shows every problem at once."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FieldErrors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        messages = self.errors.setdefault(field, [])
        if message not in messages:
            messages.append(message)

    def require(self, ok: bool, field: str, message: str) -> bool:
        """Record `message` unless `ok`; returns `ok` so callers can skip dependent checks."""
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
