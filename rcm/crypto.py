"""PHI encryption at rest: AES-256-GCM with a key ring, and HMAC blind indexes.

Ciphertext format (text, fits a TextField): ``enc1:<key id>:<base64(nonce || ciphertext+tag)>``.
Associated data binds a ciphertext to its org and its ``table.column``: moved to another org's
row or another column, it fails to decrypt. A wrong or missing key raises; ciphertext is never
returned as if it were data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "enc1"


class PhiCryptoError(Exception):
    """Base for every PHI encryption failure (never carries plaintext)."""


class PhiKeyMissing(PhiCryptoError):
    pass


class PhiDecryptError(PhiCryptoError):
    pass


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    newest: str

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for item in filter(None, (part.strip() for part in (spec or "").split(","))):
            key_id, sep, encoded = item.partition(":")
            if not sep or not key_id.isalnum():
                raise PhiKeyMissing("RCM_ENCRYPTION_KEYS entries must look like 'keyid:base64key'")
            key = base64.b64decode(encoded)
            if len(key) != 32:
                raise PhiKeyMissing(f"Encryption key {key_id!r} must be 32 bytes (AES-256)")
            keys[key_id] = key
            order.append(key_id)
        if not order:
            raise PhiKeyMissing("RCM_ENCRYPTION_KEYS is empty: PHI cannot be encrypted")
        return cls(keys=keys, newest=order[0])


@lru_cache(maxsize=4)
def _ring_for(spec: str) -> KeyRing:
    return KeyRing.parse(spec)


def key_ring() -> KeyRing:
    return _ring_for(settings.RCM_ENCRYPTION_KEYS)


def _aad(org_id: int, column: str) -> bytes:
    return f"org={org_id};col={column}".encode()


def encrypt(plaintext: str, *, org_id: int, column: str) -> str:
    ring = key_ring()
    nonce = os.urandom(12)
    sealed = AESGCM(ring.keys[ring.newest]).encrypt(nonce, plaintext.encode(), _aad(org_id, column))
    return f"{PREFIX}:{ring.newest}:{base64.b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str:
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise PhiDecryptError("Value is not a PHI ciphertext")
    return parts[1]


def decrypt(token: str, *, org_id: int, column: str) -> str:
    key_id = key_id_of(token)
    key = key_ring().keys.get(key_id)
    if key is None:
        raise PhiKeyMissing(f"No key {key_id!r} in RCM_ENCRYPTION_KEYS for {column}")
    raw = base64.b64decode(token.split(":", 2)[2])
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], _aad(org_id, column)).decode()
    except InvalidTag as exc:
        raise PhiDecryptError(f"Ciphertext for {column} failed authentication") from exc


def _org_index_key(org_id: int) -> bytes:
    master = base64.b64decode(settings.RCM_BLIND_INDEX_KEY or "")
    if len(master) < 16:
        raise PhiKeyMissing("RCM_BLIND_INDEX_KEY must be set (base64, at least 16 bytes)")
    return hmac.new(master, f"blind-index:org={org_id}".encode(), hashlib.sha256).digest()


def blind_index(value: str, *, org_id: int, column: str) -> str:
    """Deterministic per-org HMAC for exact-match search; another org's index never matches."""
    message = f"{column}|{value}".encode()
    return hmac.new(_org_index_key(org_id), message, hashlib.sha256).hexdigest()
