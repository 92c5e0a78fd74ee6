"""Setting up the org's clearinghouse account (one per org) and testing its connection.

`clearinghouse_account_save` creates or updates the account from flat `values` (the page's
form and the API send the same keys, `FIELDS`), checks everything the 837 envelope and the
adapter need, and raises one ValidationError with every field's message. Secrets
(`SECRET_FIELDS`) are write-only: a blank one keeps the stored value; they are never returned,
shown or logged. The change history is written by the table's trigger (the actor is the
request's member, set by the middleware)."""

from __future__ import annotations

import logging
import os
import posixpath
from typing import Any

from django.db import transaction

from claims.clearinghouse.base import ClearinghouseError, ConfigurationError, adapter_class
from claims.clearinghouse.sftp import load_private_key, parse_host_key
from claims.models import ClearinghouseAccount
from rcm.errors import FieldErrors

log = logging.getLogger(__name__)

# ISA05 / ISA07 interchange id qualifiers allowed by the 5010 837 implementation guides.
ISA_QUALIFIERS = {
    "01": "01 - DUNS",
    "14": "14 - DUNS plus suffix",
    "20": "20 - Health industry number (HIN)",
    "27": "27 - Carrier id (CMS)",
    "28": "28 - Fiscal intermediary id (CMS)",
    "29": "29 - Medicare provider/supplier id (CMS)",
    "30": "30 - US federal tax id",
    "33": "33 - NAIC company code",
    "ZZ": "ZZ - Mutually defined",
}
# Characters the 837 uses as delimiters: never inside an id.
X12_DELIMITERS = set("*~:^|>")

ACCOUNT_FIELDS = (
    "adapter",
    "submitter_name",
    "submitter_id",
    "contact_name",
    "contact_phone",
    "contact_email",
    "receiver_name",
    "receiver_id",
    "isa_sender_qualifier",
    "isa_sender_id",
    "isa_receiver_qualifier",
    "isa_receiver_id",
    "usage_indicator",
)
SFTP_SETTINGS = ("host", "port", "username", "outbox", "inbox", "archive", "host_key")
SFTP_CHOICES = ("host_key_checking",)
FOLDER_SETTINGS = ("export_dir", "import_dir", "archive_dir")
ADAPTER_SETTINGS = (*SFTP_SETTINGS, *SFTP_CHOICES, *FOLDER_SETTINGS)
SECRET_FIELDS = ("password", "private_key", "private_key_passphrase")
FIELDS = (*ACCOUNT_FIELDS, *ADAPTER_SETTINGS, *SECRET_FIELDS)
HOST_KEY_CHECKING = ("strict", "off")
TEST_TIMEOUT = 8.0  # seconds: the connection test runs inside a page request


def account_of_org() -> ClearinghouseAccount | None:
    """The active org's account, active or not (RLS scopes the query)."""
    return ClearinghouseAccount.objects.first()


def account_values(account: ClearinghouseAccount | None) -> dict[str, Any]:
    """The account as the flat values the form and the API use, secrets left out."""
    if account is None:
        return {}
    values: dict[str, Any] = {name: getattr(account, name) for name in ACCOUNT_FIELDS}
    stored = account.settings or {}
    for name in ADAPTER_SETTINGS:
        values[name] = stored.get(name, "")
    if account.adapter == ClearinghouseAccount.Adapter.SFTP:
        values["host_key_checking"] = stored.get("host_key_checking") or "strict"
    return values


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


def _x12_id(errors: FieldErrors, field: str, value: str, *, limit: int, what: str) -> None:
    if not errors.require(bool(value), field, f"{what} is required."):
        return
    errors.require(len(value) <= limit, field, f"{what} is at most {limit} characters.")
    errors.require(
        value.isascii()
        and value.isprintable()
        and not (X12_DELIMITERS & set(value))
        and value == value.strip(),
        field,
        f"{what}: letters, digits and spaces only (no * ~ : ^ | >).",
    )


def _check_account(v: dict[str, str], errors: FieldErrors) -> None:
    errors.require(
        v["adapter"] in ClearinghouseAccount.Adapter.values,
        "adapter",
        f"Choose one of: {', '.join(ClearinghouseAccount.Adapter.values)}.",
    )
    for field, what, limit in (
        ("submitter_name", "The submitter name", 60),
        ("receiver_name", "The receiver name", 60),
        ("contact_name", "The contact name", 60),
    ):
        if errors.require(bool(v[field]), field, f"{what} is required."):
            errors.require(len(v[field]) <= limit, field, f"{what} is at most {limit} characters.")
    # 1000A/1000B NM109 (up to 80), and ISA06/ISA08 which GS02/GS03 repeat (up to 15).
    _x12_id(errors, "submitter_id", v["submitter_id"], limit=80, what="The submitter id")
    _x12_id(errors, "receiver_id", v["receiver_id"], limit=80, what="The receiver id")
    _x12_id(errors, "isa_sender_id", v["isa_sender_id"], limit=15, what="The ISA06/GS02 sender id")
    _x12_id(
        errors, "isa_receiver_id", v["isa_receiver_id"], limit=15, what="The ISA08/GS03 receiver id"
    )
    for field in ("isa_sender_qualifier", "isa_receiver_qualifier"):
        errors.require(
            v[field] in ISA_QUALIFIERS,
            field,
            f"An ISA id qualifier: one of {', '.join(ISA_QUALIFIERS)}.",
        )
    errors.require(
        v["usage_indicator"] in ClearinghouseAccount.Usage.values,
        "usage_indicator",
        "T (test) or P (production).",
    )
    phone = v["contact_phone"]
    errors.require(
        phone.isdigit() and 10 <= len(phone) <= 20,
        "contact_phone",
        "The contact phone: 10 or more digits, nothing else.",
    )
    email = v["contact_email"]
    if email:
        errors.require("@" in email and len(email) <= 80, "contact_email", "Not an email address.")


def _check_sftp(
    v: dict[str, str], secrets: dict[str, str], errors: FieldErrors, new_secrets: set[str]
) -> dict[str, Any]:
    for field, what in (
        ("host", "The host"),
        ("username", "The username"),
        ("outbox", "The remote outbox folder"),
        ("inbox", "The remote inbox folder"),
    ):
        errors.require(bool(v[field]), field, f"{what} is required for SFTP.")
    port: int | None = None
    raw_port = v["port"] or "22"
    if errors.require(
        raw_port.isdigit() and 1 <= int(raw_port) <= 65535, "port", "A port from 1 to 65535."
    ):
        port = int(raw_port)
    checking = v["host_key_checking"] or "strict"
    errors.require(
        checking in HOST_KEY_CHECKING, "host_key_checking", "Host key checking: strict or off."
    )
    if v["host_key"]:
        try:
            parse_host_key(v["host_key"])
        except ConfigurationError as exc:
            errors.add("host_key", str(exc))
    elif checking == "strict":
        errors.add(
            "host_key",
            "Paste the server's public key (ssh-keyscan) or turn host key checking off.",
        )
    if not secrets["password"] and not secrets["private_key"]:
        errors.add("password", "SFTP needs a password or a private key.")
    if secrets["private_key"]:
        try:
            load_private_key(secrets["private_key"], secrets["private_key_passphrase"])
        except ConfigurationError:
            field = "private_key" if "private_key" in new_secrets else "private_key_passphrase"
            errors.add(
                field,
                "The private key could not be read (not a PEM/OpenSSH key of a supported type, "
                "or the wrong passphrase).",
            )
    return {
        "host": v["host"],
        "port": port,
        "username": v["username"],
        "outbox": v["outbox"],
        "inbox": v["inbox"],
        "archive": v["archive"],
        "host_key": v["host_key"],
        "host_key_checking": checking,
    }


def _check_folder(v: dict[str, str], errors: FieldErrors) -> dict[str, Any]:
    for field, what, required in (
        ("export_dir", "The export folder", True),
        ("import_dir", "The import folder", True),
        ("archive_dir", "The archive folder", False),
    ):
        if not v[field]:
            errors.require(not required, field, f"{what} is required for the folder adapter.")
            continue
        errors.require(
            os.path.isabs(v[field]), field, f"{what} must be an absolute path (/srv/...)."
        )
    return {name: v[name] for name in FOLDER_SETTINGS}


@transaction.atomic
def clearinghouse_account_save(*, values: dict[str, Any], actor: Any) -> ClearinghouseAccount:
    """Create the org's account or update it from `values` (keys: FIELDS; unknown keys are
    refused). A blank secret keeps the stored one; secrets of an account that no longer uses
    SFTP are erased. Nothing is saved unless every value is right."""
    errors = FieldErrors()
    for unknown in sorted(set(values) - set(FIELDS)):
        errors.add(unknown, "Not a clearinghouse account field.")
    account = ClearinghouseAccount.objects.select_for_update().first()
    v = {name: _text(values, name) for name in (*ACCOUNT_FIELDS, *ADAPTER_SETTINGS)}
    v["adapter"] = v["adapter"] or ClearinghouseAccount.Adapter.SANDBOX
    v["usage_indicator"] = v["usage_indicator"].upper()
    for field in ("isa_sender_qualifier", "isa_receiver_qualifier"):
        v[field] = v[field].upper() or "ZZ"
    v["contact_phone"] = "".join(ch for ch in v["contact_phone"] if ch not in " -().+")
    new_secrets = {name for name in SECRET_FIELDS if values.get(name)}
    secrets = {
        name: str(values[name]) if name in new_secrets else (getattr(account, name, "") or "")
        for name in SECRET_FIELDS
    }
    _check_account(v, errors)
    chosen: dict[str, Any] = {}
    if v["adapter"] == ClearinghouseAccount.Adapter.SFTP:
        chosen = _check_sftp(v, secrets, errors, new_secrets)
    elif v["adapter"] == ClearinghouseAccount.Adapter.FOLDER:
        chosen = _check_folder(v, errors)
    errors.raise_if_any()

    if account is None:
        account = ClearinghouseAccount()
        account.assign_active_org()
    for name in ACCOUNT_FIELDS:
        setattr(account, name, v[name])
    # Keep what this page does not edit (sandbox rules, timeouts); replace the adapters' keys.
    kept = {k: val for k, val in (account.settings or {}).items() if k not in ADAPTER_SETTINGS}
    account.settings = {**kept, **{k: val for k, val in chosen.items() if val not in ("", None)}}
    if v["adapter"] != ClearinghouseAccount.Adapter.SFTP:
        secrets = dict.fromkeys(SECRET_FIELDS, "")
    for name in SECRET_FIELDS:
        setattr(account, name, secrets[name])
    account.save()
    log.info(
        "clearinghouse account saved: org=%s adapter=%s by=%s",
        account.org_id,
        account.adapter,
        getattr(actor, "pk", None),
    )
    return account


def clearinghouse_connection_test(*, account: ClearinghouseAccount) -> tuple[bool, str]:
    """Connect and list the account's folders (SFTP) or check them (folder), within a short
    timeout. (ok, message); the message names hosts and folders, never a secret."""
    if account.adapter == ClearinghouseAccount.Adapter.SFTP:
        return _test_sftp(account)
    if account.adapter == ClearinghouseAccount.Adapter.FOLDER:
        return _test_folder(account)
    return False, "The sandbox needs no connection: nothing to test."


def _test_sftp(account: ClearinghouseAccount) -> tuple[bool, str]:
    settings = dict(account.settings or {})
    settings["timeout"] = min(float(settings.get("timeout", TEST_TIMEOUT)), TEST_TIMEOUT)
    adapter = adapter_class("sftp")(account, settings)
    try:
        with adapter.session("connection test") as sftp:  # type: ignore[attr-defined]
            counts = []
            for key in ("outbox", "inbox"):
                folder = str(settings.get(key) or ".")
                try:
                    counts.append(f"{key} {folder}: {len(sftp.listdir(folder))} file(s)")
                except OSError as exc:
                    return False, (
                        f"Connected to {adapter.where} but cannot list the {key} "  # type: ignore[attr-defined]
                        f"{posixpath.normpath(folder)}: {exc.strerror or type(exc).__name__}."
                    )
    except ClearinghouseError as exc:
        return False, str(exc)
    return True, f"Connected to {adapter.where} and listed the {'; '.join(counts)}."  # type: ignore[attr-defined]


def _test_folder(account: ClearinghouseAccount) -> tuple[bool, str]:
    settings = account.settings or {}
    found = []
    for key, what, mode in (
        ("export_dir", "export folder", os.W_OK),
        ("import_dir", "import folder", os.R_OK | os.X_OK),
    ):
        folder = str(settings.get(key) or "")
        if not folder or not os.path.isdir(folder):
            return False, f"The {what} {folder or '(none)'} is not a folder on this server."
        if not os.access(folder, mode):
            need = "write to" if mode == os.W_OK else "read"
            return False, f"This server cannot {need} the {what} {folder}."
        if key == "import_dir":
            try:
                waiting = len([n for n in os.listdir(folder) if not n.startswith(".")])
            except OSError as exc:
                return False, f"Listing the {what} {folder} failed: {exc.strerror or exc}."
            found.append(f"the {what} {folder} ({waiting} entr{'y' if waiting == 1 else 'ies'})")
        else:
            found.append(f"the {what} {folder}")
    return True, f"Reached {' and '.join(found)}."
