"""The audit hash covers every stored field: each event gets its place in the chain (`seq`),
the head names the newest place, the actor and run references stop being edited by
deletions (SET_NULL rewrote the log), and the existing events are re-chained with the new
digest (console/runs/chain.py).

Re-hashing a hash chain would normally be the very edit the chain exists to expose. It is
legitimate here because it happens once, at the upgrade, before any signed checkpoint
exists (the audit app's checkpoint table is created after this migration, which it depends
on), so no signature has vouched for an old hash; and because the old chain is verified
with the old digest first: a chain already broken is refused rather than laundered into a
valid one. The digest is written out here, not imported, so this migration hashes as it
did when it was written whatever the app's code becomes."""

import hashlib
import json
from datetime import UTC

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _old_digest(prev, event):
    body = json.dumps(
        {"prev": prev, "action": event.action, "actor": event.actor_name, "data": event.data},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _new_digest(prev, seq, event):
    fields = {
        "seq": seq,
        "created_at": event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "action": event.action,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "run_id": str(event.run_id) if event.run_id is not None else None,
        "data": event.data,
        "prev_hash": prev,
    }
    return hashlib.sha256(_canonical(fields)).hexdigest()


def _check_old_chain(events):
    prev = GENESIS
    for event in events:
        if event.prev_hash != prev or event.hash != _old_digest(prev, event):
            raise RuntimeError(
                f"the audit chain is already broken at event {event.pk} ({event.action}); "
                "re-chaining it would hide that. Keep a copy of the runs_auditevent table for "
                "the investigation, and remove or repair the events from there on before upgrading."
            )
        prev = event.hash


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("runs", "AuditEvent")
    AuditChainHead = apps.get_model("runs", "AuditChainHead")
    events = AuditEvent.objects.order_by("id")
    _check_old_chain(events.iterator(chunk_size=2000))
    prev, seq, batch = GENESIS, 0, []
    for event in events.iterator(chunk_size=2000):
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = _new_digest(prev, seq, event)
        batch.append(event)
        if len(batch) == 1000:
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "last_seq": seq})


def unchain(apps, schema_editor):
    """Back to the old digest (prev, action, actor_name, data), for a downgrade."""
    AuditEvent = apps.get_model("runs", "AuditEvent")
    AuditChainHead = apps.get_model("runs", "AuditChainHead")
    prev, batch = GENESIS, []
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        event.prev_hash = prev
        event.hash = prev = _old_digest(prev, event)
        batch.append(event)
    AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash"], batch_size=1000)
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


class Migration(migrations.Migration):
    dependencies = [
        ("runs", "0005_run_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="last_seq",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        # The foreign keys lose their constraints before the rows are updated, so PostgreSQL
        # has no deferred constraint checks pending when the last step alters the table.
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="run",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="audit",
                to="runs.commandrun",
            ),
        ),
        migrations.RunPython(rechain, unchain),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True),
        ),
    ]
