"""Claims tests run on tests.factories.TODAY (a Monday), noon UTC, with the clock ticking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from tests import factories


@pytest.fixture(autouse=True)
def _on_today() -> Iterator[None]:
    with time_machine.travel(
        dt.datetime.combine(factories.TODAY, dt.time(12), tzinfo=dt.UTC), tick=True
    ):
        yield
