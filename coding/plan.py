"""Internal working state of the engine: planned lines and the explanation trace."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlannedLine:
    """A code chosen by a service rule, before provider, POS and modifiers are settled.

    `scope_code` is the CPT concept used for licence-scope checks when a payer override
    renamed the code (e.g. 90792 billed as H0031 still needs a prescriber).
    """

    code: str
    units: int
    scope_code: str | None = None
    patient_ref: str | None = None
    revenue_code: str | None = None
    modifiers: tuple[str, ...] = ()
    # Lines of a per-service program day: the service's stored reference and kind.
    service_ref: str | None = None
    program_service: str | None = None

    @property
    def concept(self) -> str:
        return self.scope_code or self.code


@dataclass
class Trace:
    """Collects the human-readable explanation of every decision."""

    reasons: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def why(self, message: str) -> None:
        self.reasons.append(message)

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
