"""Where the shared third-party X12 corpus lives: ../shared/x12-samples next to the checkout
(/work/shared/x12-samples here), read in place and never copied (see its MANIFEST.md).
X12_SAMPLES overrides the location; tests that need the corpus skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SAMPLES = Path(
    os.environ.get("X12_SAMPLES") or Path(__file__).resolve().parents[3] / "shared" / "x12-samples"
)

needs_samples = pytest.mark.skipif(
    not (SAMPLES / "MANIFEST.md").is_file(), reason=f"X12 sample corpus not found at {SAMPLES}"
)


def sample(kind: str, name: str) -> bytes:
    return (SAMPLES / kind / name).read_bytes()


def sample_names(kind: str) -> list[str]:
    folder = SAMPLES / kind
    return sorted(p.name for p in folder.glob("*.x12")) if folder.is_dir() else []
