"""What the database knows about the workspace: use per area, writes in progress, and
each terminal's current directory. The files themselves are only in storage.

Design decision: use is a counter, not a sum over storage. Summing means listing a whole
tree (on S3, one request per 1,000 files) before every write; a row per area is one
locked read. The counter moves in the transaction that ends a write (`bytes_used`), and a
write in progress holds a `WorkspaceReservation` for the bytes it may still add, so two
writes of one area cannot both take the last free megabyte. A worker killed mid-write
leaves a reservation behind; it stops counting once older than the longest a command may
run. The storage write and the counter's transaction cannot be one transaction, so a
crash between them can leave the counter one file off; `manage.py workspace_recount`
recounts from storage (and an area without a row is counted from storage the first time)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class WorkspaceUsage(models.Model):
    """Bytes kept in one area (`users/<id>` or `teams/<slug>`)."""

    area = models.CharField(max_length=200, unique=True)
    bytes_used = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.area}: {self.bytes_used} bytes"


class WorkspaceReservation(models.Model):
    """Bytes a write in progress may still add to an area."""

    area = models.CharField(max_length=200, db_index=True)
    nbytes = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.area}: {self.nbytes} bytes reserved"


class WorkingDirectory(models.Model):
    """A terminal's current directory (`cd`), kept on the server per (user, terminal) as
    the exported environment is; stored as the path below the top (`""` is the top)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    terminal_id = models.CharField(max_length=64)
    path = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "terminal_id"], name="working_dir_user_terminal")
        ]

    def __str__(self) -> str:
        return f"terminal {self.terminal_id}: ~/{self.path}"


class WorkspaceUpload(models.Model):
    """A browser upload in progress (console/workspace/uploads.py): the file it will be,
    its size, and how many bytes the server holds. The bytes wait as parts outside every
    user's tree (`uploads/<id>/`) and become the file in one all-or-nothing write once
    the last one arrives, so a cut-off upload is never a file anyone can see."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.TextField()  # the target below the user's top, as `Location.parts` joined by "/"
    size = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    reservation_id = models.BigIntegerField(null=True)  # its WorkspaceReservation (quota held upfront)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"upload {self.pk}: {self.offset}/{self.size} bytes of ~/{self.path}"
