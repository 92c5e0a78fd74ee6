"""The SFTP adapter: 837s are uploaded to the clearinghouse's outbox folder, responses are
downloaded from its inbox folder and then archived (moved) or removed there.

Account settings: `host`, `port` (22), `username`, `outbox`, `inbox`, `archive` (empty:
remove fetched files once imported), `timeout` (seconds, 30), `host_key` (the server's public
key as `ssh-ed25519 AAAA...`, the line `ssh-keyscan` prints, host name optional) and
`host_key_checking`: "strict" (the default: the server must present exactly that key) or
"off" (any key accepted, for a first test against a sandbox only). The password and/or the
private key (PEM or OpenSSH text, with its passphrase) are the account's encrypted columns;
the key is tried first, then the password.

An upload is written as `NAME.part`, then renamed to `NAME`, so the clearinghouse never picks
up half a file. Errors name the host and the step, never a secret or patient data."""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import posixpath
import socket
import stat
from collections.abc import Iterator, Sequence
from typing import Any

import paramiko

from claims.clearinghouse.base import (
    Adapter,
    AuthenticationFailed,
    ClearinghouseError,
    ConfigurationError,
    TransportError,
    register,
)

log = logging.getLogger(__name__)

KEY_TYPES: tuple[type[paramiko.PKey], ...] = (
    paramiko.Ed25519Key,
    paramiko.ECDSAKey,
    paramiko.RSAKey,
)
# Errors of an SFTP operation that retrying will not fix (the folder or the right is missing).
PERMANENT_ERRNOS = frozenset({errno.ENOENT, errno.EACCES, errno.EPERM, errno.ENOTDIR})


def load_private_key(text: str, passphrase: str = "") -> paramiko.PKey:
    for key_type in KEY_TYPES:
        try:
            return key_type.from_private_key(io.StringIO(text), password=passphrase or None)
        except (paramiko.SSHException, ValueError):
            continue
    raise ConfigurationError(
        "The account's private key could not be read (unsupported type or wrong passphrase)."
    )


def parse_host_key(line: str) -> tuple[str, str]:
    """(key type, base64) from `[host] ssh-ed25519 AAAA... [comment]`."""
    parts = line.split()
    for i, part in enumerate(parts[:-1]):
        if part.startswith(("ssh-", "ecdsa-", "rsa-")):
            return part, parts[i + 1]
    raise ConfigurationError("The account's host key is not a public key line (ssh-... AAAA...).")


@register
class SftpAdapter(Adapter):
    name = "sftp"

    # --- connecting ----------------------------------------------------------------------

    @property
    def where(self) -> str:
        return f"{self.settings.get('host', '?')}:{self.settings.get('port', 22)}"

    @contextlib.contextmanager
    def session(self, step: str) -> Iterator[paramiko.SFTPClient]:
        """An authenticated SFTP session; every failure inside becomes a ClearinghouseError."""
        transport: paramiko.Transport | None = None
        try:
            transport = self._transport()
            self._authenticate(transport)
            client = paramiko.SFTPClient.from_transport(transport)
            if client is None:
                raise TransportError(f"SFTP {step} at {self.where}: no SFTP channel opened.")
            with client:
                yield client
        except ClearinghouseError:
            raise
        except Exception as exc:
            raise self._translate(exc, step) from exc
        finally:
            if transport is not None:
                transport.close()

    def _transport(self) -> paramiko.Transport:
        host = self.setting("host", required=True)
        port = int(self.setting("port", 22))
        timeout = float(self.setting("timeout", 30))
        sock = socket.create_connection((host, port), timeout=timeout)
        transport = paramiko.Transport(sock)
        transport.banner_timeout = timeout
        transport.auth_timeout = timeout
        transport.start_client(timeout=timeout)
        self._check_host_key(transport.get_remote_server_key())
        return transport

    def _check_host_key(self, key: paramiko.PKey) -> None:
        checking = self.setting("host_key_checking", "strict")
        if checking == "off":
            log.warning("SFTP host key not checked for %s (host_key_checking=off)", self.where)
            return
        expected = self.setting("host_key")
        if not expected:
            raise ConfigurationError(
                f"Host key checking is strict but the account has no host key for {self.where}: "
                "paste the server's public key (ssh-keyscan) or turn checking off."
            )
        if (key.get_name(), key.get_base64()) != parse_host_key(str(expected)):
            raise ConfigurationError(
                f"The SFTP server at {self.where} presented a host key that does not match the "
                "account's: not sending (the server may have changed, or be an impostor)."
            )

    def _authenticate(self, transport: paramiko.Transport) -> None:
        account = self.account
        username = self.setting("username", required=True)
        key_text = getattr(account, "private_key", "") or ""
        password = getattr(account, "password", "") or ""
        if not key_text and not password:
            raise ConfigurationError("The SFTP account has neither a password nor a private key.")
        if key_text:
            key = load_private_key(key_text, getattr(account, "private_key_passphrase", "") or "")
            with contextlib.suppress(paramiko.AuthenticationException):
                transport.auth_publickey(username, key)
        if not transport.is_authenticated() and password:
            with contextlib.suppress(paramiko.AuthenticationException):
                transport.auth_password(username, password)
        if not transport.is_authenticated():
            raise AuthenticationFailed(
                f"The SFTP server at {self.where} refused the login of '{username}': check the "
                "account's password or private key."
            )

    def _translate(self, exc: Exception, step: str) -> ClearinghouseError:
        what = f"SFTP {step} at {self.where} failed"
        if isinstance(exc, paramiko.AuthenticationException):
            return AuthenticationFailed(f"{what}: the login was refused.")
        if isinstance(exc, OSError) and exc.errno in PERMANENT_ERRNOS and not _is_socket(exc):
            return ConfigurationError(f"{what}: {exc.strerror or exc} (check the folders).")
        if isinstance(exc, (OSError, EOFError, paramiko.SSHException)):
            detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            return TransportError(f"{what}: {detail}")
        return TransportError(f"{what}: {type(exc).__name__}")

    # --- the interface -------------------------------------------------------------------

    def _folder(self, key: str) -> str:
        return str(self.setting(key, ".") or ".")

    def send(self, batch: Any) -> str:
        final = posixpath.join(self._folder("outbox"), batch.file_name)
        partial = final + ".part"
        data = batch.content.encode("utf-8")
        with self.session("upload") as sftp:
            with sftp.open(partial, "wb") as fh:
                fh.write(data)
            _replace(sftp, partial, final)
        return final

    def fetch(self) -> list[tuple[str, bytes]]:
        inbox = self._folder("inbox")
        found: list[tuple[str, bytes]] = []
        with self.session("download") as sftp:
            entries = sorted(sftp.listdir_attr(inbox), key=lambda a: a.filename)
            for attr in entries:
                name = attr.filename
                if name.startswith(".") or name.endswith(".part"):
                    continue
                if attr.st_mode is not None and not stat.S_ISREG(attr.st_mode):
                    continue
                with sftp.open(posixpath.join(inbox, name), "rb") as fh:
                    found.append((name, fh.read()))
        return found

    def done(self, names: Sequence[str]) -> None:
        if not names:
            return
        inbox, archive = self._folder("inbox"), self.setting("archive", "")
        with self.session("archive" if archive else "clean-up") as sftp:
            for name in names:
                base = posixpath.basename(name)
                source = posixpath.join(inbox, base)
                try:
                    if archive:
                        _replace(sftp, source, posixpath.join(str(archive), base))
                    else:
                        sftp.remove(source)
                except FileNotFoundError:
                    continue  # already gone: done is idempotent


def _replace(sftp: paramiko.SFTPClient, source: str, target: str) -> None:
    try:
        sftp.posix_rename(source, target)
    except OSError:
        # Servers without the posix-rename extension: plain SFTP rename refuses to overwrite.
        with contextlib.suppress(OSError):
            sftp.remove(target)
        sftp.rename(source, target)


def _is_socket(exc: OSError) -> bool:
    return isinstance(exc, (socket.timeout, ConnectionError, socket.gaierror))
