"""Form fields and choice lists shared by the payer, fee rate and facility forms: code-shaped
inputs are upper-cased, then checked against the same patterns the payer services use."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from coding.types import (
    LEVEL_CHOICES,
    LICENSE_LABELS,
    GroupBillingMode,
    LicenseType,
    ShortDayOutcome,
)
from payers.services.codes import FORMAT_HINTS, PATTERNS, shape_error

LEVELS: list[tuple[str, str]] = list(LEVEL_CHOICES)
LICENSES: list[tuple[str, str]] = [(lt.value, LICENSE_LABELS[lt]) for lt in LicenseType]
SHORT_DAY = {
    ShortDayOutcome.DENY.value: "deny the day",
    ShortDayOutcome.DOWNCODE.value: "downcode",
    ShortDayOutcome.PAY.value: "pay anyway",
    ShortDayOutcome.INFORMATIONAL.value: "pay, informational message",
}
GROUP_MODES = {
    GroupBillingMode.PER_SESSION.value: "one unit per session",
    GroupBillingMode.PER_15_MIN.value: "per 15 minutes attended",
}


def _shaped(kind: str) -> RegexValidator:
    return RegexValidator(PATTERNS[kind], f"Enter {FORMAT_HINTS[kind]}.")


class TokenListField(forms.CharField):
    """Comma- or space-separated codes (modifiers, HCPCS, condition codes) as an upper-case list."""

    def __init__(self, *, kind: str, most: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.kind, self.most = kind, most

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        return [t.upper() for t in re.split(r"[\s,]+", text) if t]

    def validate(self, value: list[str]) -> None:
        if self.most is not None and len(value) > self.most:
            raise ValidationError(f"At most {self.most}.")
        bad = [shape_error(self.kind, token) for token in value]
        if any(bad):
            raise ValidationError([b for b in bad if b])


class UpperCharField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return super().to_python(value).upper()


def upper_char(kind: str, **kwargs: Any) -> forms.CharField:
    """A code-shaped input (code, modifier, POS...), upper-cased before it is checked."""
    kwargs.setdefault("required", False)
    field = UpperCharField(validators=[_shaped(kind)], **kwargs)
    field.widget.attrs.setdefault("aria-label", kwargs.get("label", kind))
    return field
