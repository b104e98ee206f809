"""`manage.py setup_demo`: seed a sandbox that is already running (docker compose's
`sandbox` service) and give the demo user its profiles. `runstack` does the same for
the sandbox it starts itself. The sandbox's control secret comes from
CONSOLE_SANDBOX_CONTROL_SECRET(_FILE): compose shares the file the sandbox wrote with
this service only."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from console import demo
from sandbox.errors import SandboxError


class Command(BaseCommand):
    help = "Seed the running sandbox at CONSOLE_SANDBOX_URL and create the demo user."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CONSOLE_SANDBOX:
            raise CommandError("the sandbox is off (CONSOLE_SANDBOX=false); nothing to set up")
        secret = settings.CONSOLE_SANDBOX_CONTROL_SECRET
        if not secret:
            raise CommandError(
                "the sandbox's control secret is unknown: set CONSOLE_SANDBOX_CONTROL_SECRET_FILE to the "
                "file `python -m sandbox.server --control-secret-file` wrote"
            )
        password = os.environ.get("DEMO_PASSWORD") or demo.generate_password()
        try:
            sign_ins = demo.setup_sandbox_demo(settings.CONSOLE_SANDBOX_URL, password, secret)
        except SandboxError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Demo user: {demo.DEMO_USERNAME}\nPassword:  {password}")
        for teammate in sign_ins[1:]:
            self.stdout.write(
                f"Team {demo.TEAM_SLUG} {teammate.role} {teammate.username}: password {teammate.password}"
            )
