"""Sections of the patient page that belong to apps above patients (the patient's account
from denials, ...). Imports flow one way, so those apps register a panel here from their
AppConfig.ready(): a template and a function giving its context, or None to leave the panel
out (e.g. for a role that may not see it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable[..., dict[str, Any] | None]
    order: int


_PANELS: dict[str, Panel] = {}


def patient_panel(
    name: str, *, template: str, context: Callable[..., dict[str, Any] | None], order: int
) -> None:
    """Show `template` on the patient page with `context(request=, patient=)` as `panel`."""
    _PANELS[name] = Panel(name, template, context, order)


def panels_for(*, request: Any, patient: Any) -> list[dict[str, Any]]:
    shown = []
    for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        data = p.context(request=request, patient=patient)
        if data is not None:
            shown.append({"name": p.name, "template": p.template, "data": data})
    return shown
