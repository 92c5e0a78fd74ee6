"""Fixtures of the claims tests: a real SFTP server on loopback; a fixed today (`on_today`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests import factories
from tests.claims.sftp_server import LoopbackSftpServer, new_ed25519_key


@pytest.fixture
def sftp_root(tmp_path: Path) -> Path:
    root = tmp_path / "sftp"
    for folder in ("outbox", "inbox", "archive"):
        (root / folder).mkdir(parents=True)
    return root


@pytest.fixture
def client_key():
    """An Ed25519 key pair the server accepts: (paramiko key, OpenSSH private key text)."""
    return new_ed25519_key()


@pytest.fixture
def sftp_server(sftp_root: Path, client_key) -> Iterator[LoopbackSftpServer]:
    server = LoopbackSftpServer(sftp_root, client_key=client_key[0]).start()
    try:
        yield server
    finally:
        server.stop()


def sftp_settings(server: LoopbackSftpServer, **overrides: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": server.username,
        "outbox": "outbox",
        "inbox": "inbox",
        "archive": "archive",
        "host_key": server.host_key_line,
        "timeout": 5,
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def on_today() -> Iterator[None]:
    """The queue, page and API tests run on tests.factories.TODAY (a Monday), noon UTC, the
    clock ticking: ages and filing limits count from today."""
    with time_machine.travel(
        dt.datetime.combine(factories.TODAY, dt.time(12), tzinfo=dt.UTC), tick=True
    ):
        yield
