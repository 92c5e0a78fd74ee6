"""Questions the patients app asks of the apps above it, answered without importing them.

Imports flow one way (patients < authorizations, consent). The patient, level-of-care and
session pages still need facts that belong to those apps: which authorization covers a level on
a date, whether a session's service needs an authorization and which covers it, the
patient's Part 2 consents, and the claim a session is on with the scrubber's findings. Those
apps register their answer here from their AppConfig.ready(); until one does, asking fails
loudly rather than guessing (or, where the page can do without, answers None).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

_answers: dict[str, Callable[..., Any]] = {}
QUESTIONS = (
    "covering_authorization",
    "service_authorization",
    "part2_consents",
    "consent_form_url",
    "session_claim",
)


class Unanswered(LookupError):
    """No installed app answers the question (its app is missing from INSTALLED_APPS)."""


def answer(question: str, func: Callable[..., Any]) -> None:
    if question not in QUESTIONS:
        raise ValueError(f"Unknown question {question!r}; known: {', '.join(QUESTIONS)}")
    _answers[question] = func


def _ask(question: str, **kwargs: Any) -> Any:
    try:
        func = _answers[question]
    except KeyError:
        raise Unanswered(f"No installed app answers {question!r}.") from None
    return func(**kwargs)


def covering_authorization(*, coverage: Any, level: str, on: datetime.date) -> Any | None:
    """The usable authorization of `coverage` for `level` in force on `on`, newest first."""
    return _ask("covering_authorization", coverage=coverage, level=level, on=on)


def service_authorization(*, session: Any) -> dict[str, Any]:
    """Whether the session's service needs an authorization and which covers each billed line
    (JSON-ready: needed, covered, holds_claim, message, reasons, lines)."""
    return dict(_ask("service_authorization", session=session))


def part2_consents(*, patient: Any) -> list[Any]:
    """The patient's Part 2 consents, newest signature first (each has `state_on(date)`)."""
    return list(_ask("part2_consents", patient=patient))


def consent_form_url(*, org_slug: str, patient: Any) -> str | None:
    """Where to record a Part 2 consent for the patient; None when no app offers the page."""
    if "consent_form_url" not in _answers:
        return None
    return _ask("consent_form_url", org_slug=org_slug, patient=patient)


def session_claim(*, session: Any) -> dict[str, Any] | None:
    """The active claim billing the session and the scrubber's findings that concern it
    (JSON-ready: control_number, status, status_label, url, holds, findings: code, severity,
    message, fix, fix_url, scope). None when the session is on no claim, or no app answers."""
    if "session_claim" not in _answers:
        return None
    return _ask("session_claim", session=session)
