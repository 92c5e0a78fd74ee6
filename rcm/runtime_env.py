"""Let `manage.py` in a second terminal reach the embedded services that `make run` started.

`make run` (rcm.devservices) writes .data/runtime.env with the URLs it chose; when DATABASE_URL
and REDIS_URL are not set in the environment, we read them from there.
"""

from __future__ import annotations

import os
from pathlib import Path

RUNTIME_ENV = Path(__file__).resolve().parent.parent / ".data" / "runtime.env"


def load_runtime_env(path: Path = RUNTIME_ENV) -> None:
    if os.environ.get("DATABASE_URL") or not path.exists():
        return
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())
