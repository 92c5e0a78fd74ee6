"""A real SFTP server on loopback for the SFTP adapter's tests: paramiko's server side, serving
one folder, with a password and/or a public key login, a fresh Ed25519 host key, and a switch
to drop the next N connections right after accepting them (a real transport failure)."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from paramiko import SFTPAttributes, SFTPHandle, SFTPServer, SFTPServerInterface

OK = paramiko.SFTP_OK


def new_ed25519_key() -> tuple[paramiko.Ed25519Key, str]:
    """A fresh key as paramiko's object and as OpenSSH private-key text."""
    text = (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        .decode()
    )
    return paramiko.Ed25519Key.from_private_key(io.StringIO(text)), text


def public_line(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()}"


class _Login(paramiko.ServerInterface):
    def __init__(self, server: LoopbackSftpServer) -> None:
        self.server = server

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == self.server.username and password == self.server.password
        self.server.logins.append(("password", username, ok))
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        allowed = self.server.client_key
        ok = (
            username == self.server.username
            and allowed is not None
            and public_line(key) == public_line(allowed)
        )
        self.server.logins.append(("publickey", username, ok))
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _Handle(SFTPHandle):
    def stat(self) -> Any:
        try:
            return SFTPAttributes.from_stat(os.fstat(self.filehandle.fileno()))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)


class _Folder(SFTPServerInterface):
    """The SFTP operations the adapter uses, on a folder (paths never leave it)."""

    def __init__(
        self, server: Any, *args: Any, root: Path, owner: LoopbackSftpServer, **kwargs: Any
    ) -> None:
        super().__init__(server, *args, **kwargs)
        self.root = root.resolve()
        self.owner = owner

    def _real(self, path: str) -> Path:
        real = (self.root / path.lstrip("/")).resolve()
        if real != self.root and self.root not in real.parents:
            raise PermissionError(13, "outside the served folder")
        return real

    def _do(self, action: Any) -> Any:
        try:
            return action()
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)

    def canonicalize(self, path: str) -> str:
        relative = self._real(path).relative_to(self.root)
        return "/" if relative == Path(".") else "/" + relative.as_posix()

    def list_folder(self, path: str) -> Any:
        def run() -> list[SFTPAttributes]:
            folder = self._real(path)
            return [
                SFTPAttributes.from_stat(os.stat(folder / name), filename=name)
                for name in os.listdir(folder)
            ]

        return self._do(run)

    def stat(self, path: str) -> Any:
        return self._do(lambda: SFTPAttributes.from_stat(os.stat(self._real(path))))

    lstat = stat

    def open(self, path: str, flags: int, attr: Any) -> Any:
        def run() -> _Handle:
            if flags & (os.O_WRONLY | os.O_RDWR):
                time.sleep(self.owner.write_delay)  # a slow link, to overlap two senders
            real = self._real(path)
            fd = os.open(real, flags | getattr(os, "O_BINARY", 0), 0o600)
            if flags & os.O_WRONLY:
                mode = "ab" if flags & os.O_APPEND else "wb"
            elif flags & os.O_RDWR:
                mode = "a+b" if flags & os.O_APPEND else "r+b"
            else:
                mode = "rb"
            handle = _Handle(flags)
            handle.filename = str(real)
            handle.filehandle = os.fdopen(fd, mode)
            handle.readfile = handle.filehandle
            handle.writefile = handle.filehandle
            return handle

        return self._do(run)

    def remove(self, path: str) -> int:
        return self._do(lambda: (os.remove(self._real(path)), OK)[1])

    def rename(self, oldpath: str, newpath: str) -> int:
        def run() -> int:
            if self._real(newpath).exists():
                return paramiko.SFTP_FAILURE
            os.rename(self._real(oldpath), self._real(newpath))
            return OK

        return self._do(run)

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self._do(lambda: (os.replace(self._real(oldpath), self._real(newpath)), OK)[1])

    def mkdir(self, path: str, attr: Any) -> int:
        return self._do(lambda: (os.mkdir(self._real(path)), OK)[1])

    def rmdir(self, path: str) -> int:
        return self._do(lambda: (os.rmdir(self._real(path)), OK)[1])


class LoopbackSftpServer:
    """`start()` listens on 127.0.0.1 (a free port); `stop()` closes everything."""

    def __init__(
        self,
        root: Path,
        *,
        username: str = "clinic",
        password: str | None = "s3cret-pass",
        client_key: paramiko.PKey | None = None,
    ) -> None:
        self.root = root
        self.username = username
        self.password = password
        self.client_key = client_key
        self.host_key, _ = new_ed25519_key()
        self.drop_next = 0  # connections to close right after accepting them
        self.write_delay = 0.0  # seconds each upload waits before it starts
        self.connections = 0
        self.logins: list[tuple[str, str, bool]] = []
        self._sock: socket.socket | None = None
        self._transports: list[paramiko.Transport] = []
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def host_key_line(self) -> str:
        return public_line(self.host_key)

    def start(self) -> LoopbackSftpServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(16)
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        listening = self._sock
        assert listening is not None
        while True:
            try:
                conn, _ = listening.accept()
            except OSError:
                return  # stopped
            self.connections += 1
            if self.drop_next > 0:
                self.drop_next -= 1
                conn.close()
                continue
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", SFTPServer, _Folder, root=self.root, owner=self)
            self._transports.append(transport)
            try:
                transport.start_server(server=_Login(self))
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()

    def stop(self) -> None:
        if self._sock is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
            self._sock = None
        for transport in self._transports:
            transport.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
