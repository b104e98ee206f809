"""`manage.py workspace_recount [area ...]`: count areas' use again from storage.

The counter can be one file off after a crash between a storage write and its
transaction (console/workspace/models.py); this sets it to what storage holds. It also
removes the temporary files that killed writes left in a local folder's `tmp/`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from console.workspace.files import Files
from console.workspace.models import WorkspaceUsage
from console.workspace.quota import Area, human_size, recount


class Command(BaseCommand):
    help = "Recount workspace use from storage (all counted areas, or users/<id> and teams/<slug>)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "areas", nargs="*", help="users/<id> or teams/<slug>; default: every counted area"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["areas"] or list(WorkspaceUsage.objects.values_list("area", flat=True))
        files = Files()
        stale = files.clean_temporary(older_than=settings.CONSOLE_RUN_TIMEOUT + 300)
        if stale:
            self.stdout.write(f"removed {stale} temporary file(s) of writes that did not finish\n")
        for name in names:
            kind, _, key = name.partition("/")
            if kind not in ("users", "teams") or not key:
                raise CommandError(f"{name}: an area is users/<id> or teams/<slug>")
            counted = recount(Area("user" if kind == "users" else "team", key), files)
            self.stdout.write(f"{name}: {human_size(counted)} ({counted} bytes)\n")
