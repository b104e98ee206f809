"""The output store: a run's output as ordered chunks in the DB, the truth that every
reader replays. One write path (append with the run's next `seq`) and one read path
(`read_since`: the status and the chunks after a seq, in one statement), used alike by
the terminal consumer, the API and the run page, so they can never disagree.

The run's writer keeps an `OutputDigest` as it appends: the size and SHA-256 of every
stored chunk's data, in seq order, without reading anything back. They are stored with
the run's final state, so anyone can check the output they replay against the record
(docs/audit.md says how).

Output that holds secrets (an operation whose output botocore marks sensitive) is written
through an `OutputSeal`: each stdout chunk is sealed for the run's user, and its public
`data` is a one-line notice (the first one) or empty. Every reader names who reads
(`reader`, a user id): only the run's own user gets the sealed chunks opened, as the CLI
would have shown them; anyone else, and any reader that names nobody, gets the notice.
The digest of a sealed run keeps its size but not its SHA-256: a hash of a document with a
low-entropy secret in it (a password in `SecretString`, an SSM parameter) is an oracle
for guessing it offline, and the one person who can see the plaintext is its runner. The
sealed chunks themselves cannot be edited or moved unnoticed: AES-GCM binds each one to
its run, user and seq."""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from console.runs import plainsql
from console.runs.models import FINAL_STATUSES, CommandRun, OutputChunk, OutputStream
from credentials.crypto import CryptoError

log = logging.getLogger(__name__)

MAX_CHUNK_CHARS = 64 * 1024
SEALED_NOTICE = (
    "console: this command's output holds secrets, so it is stored sealed: "
    "only the person who ran it can see it.\n"
)
UNOPENED_NOTICE = "console: this sealed output could not be opened with the configured keys.\n"


class OutputDigest:
    """The size (UTF-8 bytes) and SHA-256 of a run's stored output so far: the data of
    every chunk, prompts included, in seq order. Splitting data into chunks does not change
    it. When an append fails without saying whether it was stored, the digest is lost."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0
        self.known = True
        self.sealed = False  # set by the writer of sealed output: the hash is not kept

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
        return {"output_bytes": self.size, "output_sha256": "" if self.sealed else self._sha.hexdigest()}


class OutputSeal:
    """How a run whose output holds secrets stores its stdout: sealed for the run's user,
    with the notice as the public data of the first sealed chunk stored and nothing as the
    rest's, so a viewer sees one line however many chunks there are. Other streams (errors,
    prompts) are stored as they are."""

    def __init__(self, run_id: uuid.UUID | str, user_id: int) -> None:
        self.run_id = uuid.UUID(str(run_id))
        self.user_id = user_id
        self.noticed = False

    def chunks(self, start: int, stream: str, pieces: list[str]) -> list[OutputChunk]:
        """The rows for `pieces` of `stream` from seq `start`, stdout sealed."""
        if stream != OutputStream.STDOUT:
            return [
                OutputChunk(run_id=self.run_id, seq=start + i, stream=stream, data=p)
                for i, p in enumerate(pieces)
            ]
        return [
            self._sealed(start + i, piece, notice=i == 0 and not self.noticed)
            for i, piece in enumerate(pieces)
        ]

    def _sealed(self, seq: int, data: str, notice: bool) -> OutputChunk:
        sealed = OutputChunk.seal_data(data, self.run_id, self.user_id, seq)
        shown = SEALED_NOTICE if notice else ""
        return OutputChunk(
            run_id=self.run_id, seq=seq, stream=OutputStream.STDOUT, data=shown, sealed_data=sealed
        )

    def stored(self, stream: str) -> None:
        """The chunks of `stream` just made were stored (the notice, if one was among them)."""
        if stream == OutputStream.STDOUT:
            self.noticed = True


def append_chunk(
    run_id: uuid.UUID | str,
    stream: str,
    data: str,
    seq: int | None = None,
    digest: OutputDigest | None = None,
    seal: OutputSeal | None = None,
) -> int:
    """Store output; returns the next free seq. Without `seq`, takes the next one (retrying
    when a concurrent writer took it first). `digest` takes the data once it is stored;
    `seal`, when given, seals it (stdout only)."""
    if seq is not None:
        # The run's one writer knows its seq: a single INSERT, no savepoint.
        pieces = _pieces(data)
        try:
            _insert(_chunks(run_id, seq, stream, pieces, seal))
        except Exception:
            if digest is not None:
                digest.lose()
            raise
        _stored(data, stream, digest, seal)
        return seq + len(pieces)
    for _attempt in range(5):
        start = next_seq(run_id)
        pieces = _pieces(data)
        try:
            with transaction.atomic():
                _insert(_chunks(run_id, start, stream, pieces, seal))
            _stored(data, stream, digest, seal)
            return start + len(pieces)
        except IntegrityError:
            continue
    raise IntegrityError(f"could not append output to run {run_id}")


_INSERTED = ("run", "seq", "stream", "data", "sealed_data", "created_at")


def _insert(chunks: list[OutputChunk]) -> None:
    """The chunks as one plain INSERT: every command stores its output so, most often in
    the transaction that ends it, where the ORM's compile of a bulk_create cost more than
    the statement. Values go through the fields' own preparation (PostgreSQL and SQLite)."""
    fields, columns, marks = plainsql.insert_columns(OutputChunk, _INSERTED)
    now = timezone.now()
    params: list[Any] = []
    for chunk in chunks:
        chunk.created_at = now
        params += [f.get_db_prep_save(getattr(chunk, f.attname), connection) for f in fields]
    row = f"({marks})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {OutputChunk._meta.db_table} ({columns}) VALUES {', '.join([row] * len(chunks))}",
            params,
        )


def _chunks(
    run_id: uuid.UUID | str, start: int, stream: str, pieces: list[str], seal: OutputSeal | None
) -> list[OutputChunk]:
    if seal is not None:
        return seal.chunks(start, stream, pieces)
    return [OutputChunk(run_id=run_id, seq=start + i, stream=stream, data=p) for i, p in enumerate(pieces)]


def _stored(data: str, stream: str, digest: OutputDigest | None, seal: OutputSeal | None) -> None:
    if digest is not None:
        digest.add(data)
    if seal is not None:
        seal.stored(stream)


def _pieces(data: str) -> list[str]:
    return [data[i : i + MAX_CHUNK_CHARS] for i in range(0, len(data), MAX_CHUNK_CHARS)] or [""]


def next_seq(run_id: uuid.UUID | str) -> int:
    last = OutputChunk.objects.filter(run_id=run_id).aggregate(m=Max("seq"))["m"]
    return 0 if last is None else last + 1


class Chunk(NamedTuple):
    seq: int
    stream: str
    data: str
    sealed: bool = False  # stored sealed: `data` is the notice unless the reader is its runner


class RunSnapshot(NamedTuple):
    status: str
    exit_code: int | None
    chunks: list[Chunk]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


_READ_SINCE = """
    SELECT r.status, r.exit_code, r.user_id, c.seq, c.stream, c.data, c.sealed_data
    FROM runs_commandrun r
    LEFT JOIN runs_outputchunk c ON c.run_id = r.id AND c.seq > %s
    WHERE r.id = %s
    ORDER BY c.seq
"""


def read_since(run_id: uuid.UUID | str, after: int = -1, reader: int | None = None) -> RunSnapshot:
    """A run's status and its chunks after `after`, in one statement, so the two agree:
    a run is final only once its last chunk is stored. This is the terminal's hot path
    (every doorbell reads it), hence plain SQL instead of two ORM queries. Sealed chunks
    are opened only when `reader` is the id of the run's own user."""
    key = uuid.UUID(str(run_id))
    with connection.cursor() as cursor:
        cursor.execute(_READ_SINCE, [after, key.hex if connection.vendor == "sqlite" else key])
        rows = cursor.fetchall()
    if not rows:
        raise CommandRun.DoesNotExist(str(run_id))
    owner = rows[0][2]
    opener = owner if reader is not None and reader == owner else None
    chunks = [_chunk(key, opener, *row[3:]) for row in rows if row[3] is not None]
    return RunSnapshot(rows[0][0], rows[0][1], chunks)


def _chunk(run_id: uuid.UUID, opener: int | None, seq: int, stream: str, data: str, sealed: str) -> Chunk:
    if not sealed:
        return Chunk(seq, stream, data)
    if opener is None:
        return Chunk(seq, stream, data, sealed=True)
    try:
        return Chunk(seq, stream, OutputChunk.open_data(sealed, run_id, opener, seq), sealed=True)
    except CryptoError as exc:
        log.warning("run %s: sealed chunk %s did not open: %s", run_id, seq, exc)
        return Chunk(seq, stream, UNOPENED_NOTICE, sealed=True)


def run_streams(run: CommandRun, reader: int | None = None) -> tuple[str, str]:
    """The whole stdout and stderr of a run (prompts left out), as `reader` may see them."""
    chunks = read_since(run.pk, reader=reader).chunks
    stdout = "".join(c.data for c in chunks if c.stream == OutputStream.STDOUT)
    stderr = "".join(c.data for c in chunks if c.stream == OutputStream.STDERR)
    return stdout, stderr


def is_sealed(run_id: uuid.UUID | str) -> bool:
    """Whether any of the run's output is stored sealed (it holds secrets)."""
    return OutputChunk.objects.filter(run_id=run_id).exclude(sealed_data="").exists()
