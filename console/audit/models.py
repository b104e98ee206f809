"""Signed checkpoints of the audit chain and the record of its verifications.

A checkpoint is the console's signed statement "the chain had N events and the newest was
this one, with this hash", in the manner of CloudTrail's digest files: it is what makes
deleting the newest events, or rewriting the chain up to a point and its head with it,
detectable, because a database-only attacker cannot sign a new one. Checkpoints chain to
each other through the previous one's signature, so deleting one in the middle shows too.
The references to events are plain numbers, not foreign keys: a checkpoint must outlive
the deletion it exists to expose (console/audit/checkpoints.py)."""

from __future__ import annotations

from django.db import models


class AuditCheckpoint(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    event_seq = models.PositiveBigIntegerField()
    event_id = models.BigIntegerField()
    event_hash = models.CharField(max_length=64)
    event_count = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    public_key = models.CharField(max_length=64)
    previous_signature = models.CharField(max_length=100, blank=True)
    signature = models.CharField(max_length=100)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"audit checkpoint {self.sequence} at event {self.event_id} (seq {self.event_seq})"


class TrailCheck(models.Model):
    """One verification of the whole trail: when, whether it held, and if not the first
    bad event and why. The audit page shows the newest (verification.latest_check)."""

    checked_at = models.DateTimeField(db_index=True)
    ok = models.BooleanField()
    events = models.PositiveBigIntegerField(default=0)
    checkpoints = models.PositiveBigIntegerField(default=0)
    problem = models.CharField(max_length=32, blank=True)
    first_bad_event_id = models.BigIntegerField(null=True, blank=True)
    first_bad_event_seq = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-checked_at"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"trail check at {self.checked_at:%Y-%m-%d %H:%M:%S}: {'ok' if self.ok else self.problem}"
