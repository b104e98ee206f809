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
importing the apps that own them. An empty column holds nothing sealed; rotation skips it.

The audit's checkpoints (console/audit/checkpoints.py) are signed with Ed25519 keys derived
from the same keyring: per key id, HKDF-SHA256 of that key with the purpose label
"audit-checkpoint:<id>" as the private key's seed. One secret to provision, back up and
rotate instead of two: prepending a sealing key starts a new signing key under the same
id, and checkpoints signed by older ids still verify while those ids stay in the ring.
The label keeps the two uses apart (a signature reveals nothing of the AES key). An id
dropped from the ring after `rotate_keys` can keep vouching for its old checkpoints by its
public key alone, in CONSOLE_AUDIT_PUBLIC_KEYS ("id:base64,..."). The cost of sharing: whoever
holds the sealing keys can sign checkpoints; that is the console's own process, which
could write the log anyway. What signing stops is a database-only attacker (a stolen
dump, an SQL injection, a DBA), who can edit rows but not make a signature."""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PREFIX = "v1"
CHECKPOINT_PURPOSE = "audit-checkpoint"


class CryptoError(Exception):
    """Raised for a missing key, a malformed key setting, or a value that fails to open."""


@dataclass(frozen=True)
class _Keyring:
    active_id: str
    keys: dict[str, AESGCM]
    signers: dict[str, Ed25519PrivateKey] = field(repr=False)


def _parse_keys(spec: str) -> _Keyring:
    keys: dict[str, AESGCM] = {}
    signers: dict[str, Ed25519PrivateKey] = {}
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
        signers[key_id] = _checkpoint_signer(raw, key_id)
        order.append(key_id)
    if not order:
        raise CryptoError("no encryption key is configured (CONSOLE_ENCRYPTION_KEYS)")
    return _Keyring(active_id=order[0], keys=keys, signers=signers)


def _checkpoint_signer(raw: bytes, key_id: str) -> Ed25519PrivateKey:
    info = f"{CHECKPOINT_PURPOSE}:{key_id}".encode()
    seed = HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(raw)
    return Ed25519PrivateKey.from_private_bytes(seed)


@lru_cache(maxsize=4)
def _keyring_for(spec: str) -> _Keyring:
    return _parse_keys(spec)


def _keyring() -> _Keyring:
    from django.conf import settings

    return _keyring_for(getattr(settings, "CONSOLE_ENCRYPTION_KEYS", "") or "")


def check_keys() -> None:
    """Fail loudly at start-up when the keys are missing or malformed."""
    _keyring()
    checkpoint_public_keys()


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


@dataclass(frozen=True)
class CheckpointSigner:
    """The active key's checkpoint signing key, with its id and public key (base64)."""

    key_id: str
    public_key: str
    _private: Ed25519PrivateKey = field(repr=False)

    def sign(self, message: bytes) -> str:
        """An Ed25519 signature over `message`, base64."""
        return base64.b64encode(self._private.sign(message)).decode()


def _public_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def checkpoint_signer() -> CheckpointSigner:
    """The signer of new audit checkpoints: the active (first) key's."""
    ring = _keyring()
    private = ring.signers[ring.active_id]
    return CheckpointSigner(ring.active_id, _public_b64(private.public_key()), private)


def checkpoint_public_keys() -> dict[str, str]:
    """The public keys checkpoints may be signed with: each configured key's, and the
    retired ones pinned in CONSOLE_AUDIT_PUBLIC_KEYS (which never override a configured id)."""
    from django.conf import settings

    keys = _parse_public_keys(getattr(settings, "CONSOLE_AUDIT_PUBLIC_KEYS", "") or "")
    keys.update({key_id: _public_b64(signer.public_key()) for key_id, signer in _keyring().signers.items()})
    return keys


def retired_checkpoint_keys() -> dict[str, str]:
    """The public keys of the configured keys that no longer sign (all but the first)."""
    ring = _keyring()
    return {
        key_id: _public_b64(signer.public_key())
        for key_id, signer in ring.signers.items()
        if key_id != ring.active_id
    }


def _parse_public_keys(spec: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or not is_public_key(encoded):
            raise CryptoError("each audit public key must look like id:base64 (32 bytes, Ed25519)")
        keys[key_id] = encoded
    return keys


def is_public_key(encoded: str) -> bool:
    try:
        return len(base64.b64decode(encoded, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def signature_is_valid(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is `public_key`'s (base64, raw Ed25519) over `message`.
    Needs no configured key: offline verification of an export uses it too."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
