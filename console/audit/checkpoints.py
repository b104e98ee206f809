"""Signed checkpoints of the audit chain, in the manner of CloudTrail's digest files.

Made by the workers' periodic thread (verification.run_trail_chores), never on the path of
`record()`: every CONSOLE_AUDIT_CHECKPOINT_EVENTS events, or CONSOLE_AUDIT_CHECKPOINT_MINUTES
after the oldest event no checkpoint covers yet. A checkpoint is made under the chain
head's lock (writers wait a few milliseconds, once per checkpoint), so it names exactly the
newest event, and only after the events since the previous checkpoint were verified: the
console never signs a chain that is already broken. Two workers making one at once take
turns on the lock; the second finds nothing due.

The signature is Ed25519 (credentials/crypto.py) over the canonical JSON of the signed
fields with `format` set to FORMAT (docs/audit.md spells the bytes out for a SIEM)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.audit.models import AuditCheckpoint
from console.runs import audit, chain
from console.runs.models import AuditChainHead, AuditEvent
from credentials import crypto

log = logging.getLogger(__name__)

FORMAT = "console-audit-checkpoint/1"


@dataclass(frozen=True)
class Claim:
    """A checkpoint as stored or exported: what it vouches for, and its signature."""

    sequence: int
    event_seq: int
    event_id: int
    event_hash: str
    event_count: int
    created_at: str
    key_id: str
    public_key: str
    previous_signature: str
    signature: str

    def signed_fields(self) -> dict[str, Any]:
        fields = asdict(self)
        del fields["signature"]
        return {"format": FORMAT, **fields}

    def message(self) -> bytes:
        return chain.canonical_json(self.signed_fields())

    def anchor(self) -> chain.Anchor:
        return chain.Anchor(self.sequence, self.event_seq, self.event_id, self.event_hash, self.event_count)


def as_claim(checkpoint: AuditCheckpoint) -> Claim:
    return Claim(
        sequence=checkpoint.sequence,
        event_seq=checkpoint.event_seq,
        event_id=checkpoint.event_id,
        event_hash=checkpoint.event_hash,
        event_count=checkpoint.event_count,
        created_at=chain.canonical_time(checkpoint.created_at),
        key_id=checkpoint.key_id,
        public_key=checkpoint.public_key,
        previous_signature=checkpoint.previous_signature,
        signature=checkpoint.signature,
    )


def stored_claims() -> list[Claim]:
    return [as_claim(c) for c in AuditCheckpoint.objects.order_by("sequence")]


def check_claims(claims: Iterable[Claim], trusted: Mapping[str, str]) -> chain.ChainResult | None:
    """The first checkpoint that is not validly signed by a trusted key (id -> public key),
    or does not follow the one before; None when all hold."""
    previous: Claim | None = None
    for claim in claims:
        problem = _claim_problem(claim, previous, trusted)
        if problem:
            return chain.ChainResult(
                0,
                0,
                chain.Problem.CHECKPOINT,
                claim.event_id,
                claim.event_seq,
                f"checkpoint {claim.sequence}: {problem}",
            )
        previous = claim
    return None


def _claim_problem(claim: Claim, previous: Claim | None, trusted: Mapping[str, str]) -> str:
    expected = previous.sequence + 1 if previous else 1
    if claim.sequence != expected:
        return (
            f"checkpoint {expected} is missing: deleted"
            if claim.sequence > expected
            else "it is out of order"
        )
    if claim.previous_signature != (previous.signature if previous else ""):
        return "it does not follow the checkpoint before it"
    key = trusted.get(claim.key_id)
    if key is None:
        return f"it is signed by key {claim.key_id!r}, which is not a trusted key"
    if claim.public_key != key or not crypto.signature_is_valid(key, claim.message(), claim.signature):
        return f"its signature does not verify with key {claim.key_id!r}: the checkpoint was edited or forged"
    if previous and claim.event_seq < previous.event_seq:
        return "it covers fewer events than the checkpoint before it"
    return ""


def make_checkpoint(*, force: bool = False) -> AuditCheckpoint | None:
    """Sign a checkpoint of the newest event if one is due (any time with `force`, once
    there is an event). None when nothing is due or the chain since the last is broken."""
    # Asked first without a lock: every reaper round asks, and the head's row lock is what
    # every command's audit write takes; only a due checkpoint takes it.
    if not force and not _due_now():
        return None
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None or head.last_seq == 0:
            return None
        last = AuditCheckpoint.objects.order_by("-sequence").first()
        if not force and not _due(last, head.last_seq):
            return None
        if not _verified_since(last, head):
            return None
        return _sign(last, head)


def _due_now() -> bool:
    newest_seq = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
    return bool(newest_seq) and _due(AuditCheckpoint.objects.order_by("-sequence").first(), newest_seq)


def _due(last: AuditCheckpoint | None, newest_seq: int) -> bool:
    covered = last.event_seq if last else 0
    if newest_seq <= covered:
        return False
    if newest_seq - covered >= settings.CONSOLE_AUDIT_CHECKPOINT_EVENTS:
        return True
    oldest = AuditEvent.objects.filter(seq=covered + 1).values_list("created_at", flat=True).first()
    waited = timedelta(minutes=settings.CONSOLE_AUDIT_CHECKPOINT_MINUTES)
    return oldest is None or timezone.now() - oldest >= waited


def _verified_since(last: AuditCheckpoint | None, head: AuditChainHead) -> bool:
    start = chain.Head(last.event_seq, last.event_hash) if last else chain.Head(0, chain.GENESIS)
    events = audit.chain_events(AuditEvent.objects.filter(seq__gt=start.seq).order_by("id"))
    result = chain.walk(events, chain.Head(head.last_seq, head.last_hash), start=start)
    if not result.ok:
        log.error("no audit checkpoint was signed: %s", result.summary())
    return result.ok


def _sign(last: AuditCheckpoint | None, head: AuditChainHead) -> AuditCheckpoint:
    event = AuditEvent.objects.only("id").get(seq=head.last_seq)
    now = timezone.now()
    unsigned = Claim(
        sequence=last.sequence + 1 if last else 1,
        event_seq=head.last_seq,
        event_id=event.pk,
        event_hash=head.last_hash,
        event_count=head.last_seq,
        created_at=chain.canonical_time(now),
        key_id="",
        public_key="",
        previous_signature=last.signature if last else "",
        signature="",
    )
    signer = crypto.checkpoint_signer()
    signed = Claim(**{**asdict(unsigned), "key_id": signer.key_id, "public_key": signer.public_key})
    fields = {**asdict(signed), "created_at": now, "signature": signer.sign(signed.message())}
    return AuditCheckpoint.objects.create(**fields)
