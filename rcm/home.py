"""The org home page's figures (aggregate counts only, no PHI).

The platform knows no domain model: each app registers its own figures from its AppConfig.ready()
(`home_figure(...)`), so the imports keep flowing from the apps down to rcm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomeFigure:
    label: str
    order: int
    count: Callable[[], int]


_FIGURES: dict[str, HomeFigure] = {}


def home_figure(label: str, *, order: int, count: Callable[[], int]) -> None:
    """Register a count for the home page; `count` runs inside the active org."""
    _FIGURES[label] = HomeFigure(label=label, order=order, count=count)


def home_summary(*, org: Any) -> list[dict[str, Any]]:
    figures = sorted(_FIGURES.values(), key=lambda f: (f.order, f.label))
    return [{"label": f.label, "count": f.count()} for f in figures]
