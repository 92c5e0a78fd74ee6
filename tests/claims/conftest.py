"""`on_today`: a claims test runs on tests.factories.TODAY (a Monday), noon UTC, the clock
ticking (the queue, page and API tests use it: ages and filing limits count from today)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from tests import factories


@pytest.fixture
def on_today() -> Iterator[None]:
    with time_machine.travel(
        dt.datetime.combine(factories.TODAY, dt.time(12), tzinfo=dt.UTC), tick=True
    ):
        yield
