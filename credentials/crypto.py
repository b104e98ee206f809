"""The only module that touches encryption keys.

Every secret at rest is sealed with AES-256-GCM. Keys come from CONSOLE_ENCRYPTION_KEYS
("id:base64key,id:base64key"); the first seals, all of them open, so keys rotate by
prepending a new one and running `manage.py rotate_keys`. The caller's `context` (the
record's owner and purpose) is bound as associated data: a sealed value copied to another
user's record, or used for another purpose, fails to open instead of yielding a value.

Sealed columns are declared by the model that holds them, in one place: a class attribute
`sealed_columns` naming them and a method `secret_context(column)` giving each one's
context (see `SealedModel`). A field type was the other choice; it was not taken because
the context needs the whole row (owner, team, key) that a field cannot see, so the model
method would be needed anyway, and a field type would pin this module's import path into
both apps' migration history for a change with no effect on the schema. `sealed_columns()`
finds every declaring model through the app registry, so key rotation walks them without
importing the apps that own them. An empty column holds nothing sealed; rotation skips it."""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"


class CryptoError(Exception):
    """Raised for a missing key, a malformed key setting, or a value that fails to open."""


@dataclass(frozen=True)
class _Keyring:
    active_id: str
    keys: dict[str, AESGCM]


def _parse_keys(spec: str) -> _Keyring:
    keys: dict[str, AESGCM] = {}
    order: list[str] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or ":" in encoded:
            raise CryptoError("each encryption key must look like id:base64key")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise CryptoError(f"encryption key {key_id!r} is not valid base64") from None
        if len(raw) != 32:
            raise CryptoError(f"encryption key {key_id!r} must be 32 bytes (AES-256)")
        keys[key_id] = AESGCM(raw)
        order.append(key_id)
    if not order:
        raise CryptoError("no encryption key is configured (CONSOLE_ENCRYPTION_KEYS)")
    return _Keyring(active_id=order[0], keys=keys)


@lru_cache(maxsize=4)
def _keyring_for(spec: str) -> _Keyring:
    return _parse_keys(spec)


def _keyring() -> _Keyring:
    from django.conf import settings

    return _keyring_for(getattr(settings, "CONSOLE_ENCRYPTION_KEYS", "") or "")


def check_keys() -> None:
    """Fail loudly at start-up when the keys are missing or malformed."""
    _keyring()


def generate_key() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def seal(plaintext: str, context: str) -> str:
    ring = _keyring()
    nonce = os.urandom(12)
    ciphertext = ring.keys[ring.active_id].encrypt(nonce, plaintext.encode(), context.encode())
    body = base64.urlsafe_b64encode(nonce + ciphertext).decode()
    return f"{PREFIX}:{ring.active_id}:{body}"


def open_sealed(sealed: str, context: str) -> str:
    try:
        prefix, key_id, body = sealed.split(":", 2)
        blob = base64.urlsafe_b64decode(body.encode())
    except (ValueError, binascii.Error):
        raise CryptoError("sealed value is malformed") from None
    ring = _keyring()
    if prefix != PREFIX or key_id not in ring.keys or len(blob) < 13:
        raise CryptoError("sealed value cannot be opened with the configured keys")
    try:
        return ring.keys[key_id].decrypt(blob[:12], blob[12:], context.encode()).decode()
    except InvalidTag:
        raise CryptoError("sealed value failed its integrity check") from None


def needs_reseal(sealed: str) -> bool:
    parts = sealed.split(":", 2)
    return len(parts) != 3 or parts[1] != _keyring().active_id


def reseal(sealed: str, context: str) -> str:
    return seal(open_sealed(sealed, context), context)


def seal_json(value: Any, context: str) -> str:
    """Seal a JSON-serializable value (the form of every sealed mapping)."""
    return seal(json.dumps(value), context)


def open_json(sealed: str, context: str) -> Any:
    """Open a value sealed by `seal_json`; CryptoError if it does not open."""
    return json.loads(open_sealed(sealed, context))


class SealedModel(Protocol):
    """What a model with sealed columns declares: their names, and each one's context."""

    sealed_columns: ClassVar[tuple[str, ...]]
    pk: Any

    def secret_context(self, column: str) -> str: ...


def sealed_columns() -> Iterator[tuple[type[Any], str]]:
    """Every (model, column) declared sealed by an installed app, for rotation."""
    from django.apps import apps

    for model in apps.get_models():
        for column in getattr(model, "sealed_columns", ()):
            yield model, column
