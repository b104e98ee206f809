"""The output store: a run's output as ordered chunks in the DB, the truth that every
reader replays. One write path (append with the run's next `seq`) and one read path
(`read_since`: the status and the chunks after a seq, in one statement), used alike by
the terminal consumer, the API and the run page, so they can never disagree.

The run's writer keeps an `OutputDigest` as it appends: the size and SHA-256 of every
stored chunk's data, in seq order, without reading anything back. They are stored with
the run's final state, so anyone can check the output they replay against the record
(docs/audit.md says how)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from console.runs.models import FINAL_STATUSES, CommandRun, OutputChunk, OutputStream

MAX_CHUNK_CHARS = 64 * 1024


class OutputDigest:
    """The size (UTF-8 bytes) and SHA-256 of a run's stored output so far: the data of
    every chunk, prompts included, in seq order. Splitting data into chunks does not change
    it. When an append fails without saying whether it was stored, the digest is lost."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0
        self.known = True

    def add(self, data: str) -> None:
        raw = data.encode("utf-8", "surrogatepass")
        self._sha.update(raw)
        self.size += len(raw)

    def lose(self) -> None:
        self.known = False

    def fields(self) -> dict[str, Any]:
        """The run's columns that record it; none when it is not known."""
        if not self.known:
            return {}
        return {"output_bytes": self.size, "output_sha256": self._sha.hexdigest()}


def append_chunk(
    run_id: uuid.UUID | str,
    stream: str,
    data: str,
    seq: int | None = None,
    digest: OutputDigest | None = None,
) -> int:
    """Store output; returns the next free seq. Without `seq`, takes the next one (retrying
    when a concurrent writer took it first). `digest` takes the data once it is stored."""
    if seq is not None:
        # The run's one writer knows its seq: a single INSERT, no savepoint.
        pieces = _pieces(data)
        try:
            OutputChunk.objects.bulk_create(
                [OutputChunk(run_id=run_id, seq=seq + i, stream=stream, data=p) for i, p in enumerate(pieces)]
            )
        except Exception:
            if digest is not None:
                digest.lose()
            raise
        if digest is not None:
            digest.add(data)
        return seq + len(pieces)
    for _attempt in range(5):
        start = next_seq(run_id)
        pieces = _pieces(data)
        try:
            with transaction.atomic():
                OutputChunk.objects.bulk_create(
                    [
                        OutputChunk(run_id=run_id, seq=start + i, stream=stream, data=piece)
                        for i, piece in enumerate(pieces)
                    ]
                )
            if digest is not None:
                digest.add(data)
            return start + len(pieces)
        except IntegrityError:
            continue
    raise IntegrityError(f"could not append output to run {run_id}")


def _pieces(data: str) -> list[str]:
    return [data[i : i + MAX_CHUNK_CHARS] for i in range(0, len(data), MAX_CHUNK_CHARS)] or [""]


def next_seq(run_id: uuid.UUID | str) -> int:
    last = OutputChunk.objects.filter(run_id=run_id).aggregate(m=Max("seq"))["m"]
    return 0 if last is None else last + 1


class Chunk(NamedTuple):
    seq: int
    stream: str
    data: str


class RunSnapshot(NamedTuple):
    status: str
    exit_code: int | None
    chunks: list[Chunk]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


_READ_SINCE = """
    SELECT r.status, r.exit_code, c.seq, c.stream, c.data
    FROM runs_commandrun r
    LEFT JOIN runs_outputchunk c ON c.run_id = r.id AND c.seq > %s
    WHERE r.id = %s
    ORDER BY c.seq
"""


def read_since(run_id: uuid.UUID | str, after: int = -1) -> RunSnapshot:
    """A run's status and its chunks after `after`, in one statement, so the two agree:
    a run is final only once its last chunk is stored. This is the terminal's hot path
    (every doorbell reads it), hence plain SQL instead of two ORM queries."""
    key = uuid.UUID(str(run_id))
    with connection.cursor() as cursor:
        cursor.execute(_READ_SINCE, [after, key.hex if connection.vendor == "sqlite" else key])
        rows = cursor.fetchall()
    if not rows:
        raise CommandRun.DoesNotExist(str(run_id))
    chunks = [Chunk(seq, stream, data) for _s, _c, seq, stream, data in rows if seq is not None]
    return RunSnapshot(rows[0][0], rows[0][1], chunks)


def run_streams(run: CommandRun) -> tuple[str, str]:
    """The whole stdout and stderr of a run (prompts left out)."""
    chunks = read_since(run.pk).chunks
    stdout = "".join(c.data for c in chunks if c.stream == OutputStream.STDOUT)
    stderr = "".join(c.data for c in chunks if c.stream == OutputStream.STDERR)
    return stdout, stderr
