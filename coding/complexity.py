"""90785 interactive complexity: when the add-on may join the session's codes."""

from __future__ import annotations

from collections.abc import Collection

from .licensure import is_em_code
from .psychotherapy import CodeDecision

INTERACTIVE_COMPLEXITY = "90785"
# Source: REFERENCE.md §1, 90785 adds to 90791/90792/90832-90838/90853 [U: CPT]
IC_PRIMARY_CODES: frozenset[str] = frozenset(
    {"90791", "90792", "90832", "90833", "90834", "90836", "90837", "90838", "90853"}
)
# Source: REFERENCE.md §1, 90785 never with 90839/90840 [U: CPT]
IC_EXCLUDED_CODES: frozenset[str] = frozenset({"90839", "90840"})


def interactive_complexity(codes: Collection[str]) -> CodeDecision:
    """Add 90785 when one of `codes` is an eligible primary; otherwise say why not."""
    excluded = sorted(set(codes) & IC_EXCLUDED_CODES)
    if excluded:
        return _refuse(f"never billed with crisis code(s) {', '.join(excluded)}")
    primary = sorted(set(codes) & IC_PRIMARY_CODES)
    if primary:
        return CodeDecision(
            INTERACTIVE_COMPLEXITY, 1, f"interactive complexity with {primary[0]} → add 90785"
        )
    if codes and all(is_em_code(code) for code in codes):
        return _refuse(f"never with an E/M alone ({', '.join(codes)})")
    return _refuse(f"needs 90791/90792/90832-90838/90853, got {', '.join(codes) or 'no code'}")


def _refuse(why: str) -> CodeDecision:
    return CodeDecision(None, 0, f"interactive complexity flagged but 90785 refused: {why}")
