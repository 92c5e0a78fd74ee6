"""The scrubber: a registry of edits, each a pure function over a `ClaimSnapshot` returning
findings. A claim with an error finding is held; fixing the data and scrubbing again releases
it. Edits live in the modules imported at the bottom; `scrub` runs them all, in registry order.

An edit never raises on odd data: a snapshot missing what it checks yields a finding (or none),
and an edit that fails anyway is reported as an error finding of its own (`SCRUB-FAULT`) so the
claim is held rather than sent unchecked."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from claims.snapshot import ClaimSnapshot

log = logging.getLogger(__name__)


class Severity(StrEnum):
    ERROR = "error"  # holds the claim
    WARNING = "warning"  # shown; the claim may go
    INFO = "info"


@dataclass(frozen=True, kw_only=True)
class Finding:
    code: str  # the edit's code, e.g. "AUTH-MISSING"
    severity: Severity
    message: str  # what is wrong, in plain words (no PHI beyond what the claim page shows)
    fix: str  # how to fix it
    fix_url: str = ""  # the page that fixes it
    line: int | None = None  # claim line number, None: the whole claim
    service: str = ""  # public id of the session concerned, if any

    @property
    def holds(self) -> bool:
        return self.severity == Severity.ERROR


Edit = Callable[[ClaimSnapshot], Iterable[Finding]]


@dataclass(frozen=True)
class RegisteredEdit:
    code: str
    title: str
    run: Edit


REGISTRY: dict[str, RegisteredEdit] = {}


def edit(code: str, title: str) -> Callable[[Edit], Edit]:
    """Register an edit under `code` (unique); `title` names it in queues and filters."""

    def register(func: Edit) -> Edit:
        if code in REGISTRY:
            raise ValueError(f"scrub edit {code} registered twice")
        REGISTRY[code] = RegisteredEdit(code, title, func)
        return func

    return register


def scrub(snapshot: ClaimSnapshot) -> list[Finding]:
    findings: list[Finding] = []
    for registered in REGISTRY.values():
        try:
            findings.extend(registered.run(snapshot))
        except Exception:  # an edit's bug must hold the claim, not send it unchecked
            log.exception("scrub edit %s failed on claim %s", registered.code, snapshot.public_id)
            findings.append(
                Finding(
                    code="SCRUB-FAULT",
                    severity=Severity.ERROR,
                    message=f"The {registered.title} check could not run on this claim.",
                    fix="Re-scrub; if it persists, report it to support with the claim number.",
                )
            )
    return findings


def holds(findings: Iterable[Finding]) -> bool:
    return any(f.holds for f in findings)


from claims.scrub import edits  # noqa: E402,F401  (registers the edits)
