"""`manage.py runstack`: the whole console on this machine, in the foreground.

Migrates, starts the sandbox (moto) and seeds it, creates the demo user, then runs a
Celery worker (which also runs the reaper) and the ASGI server as child processes. Ctrl-C or
SIGTERM stops everything it started; if any child dies, the rest are stopped too. A
second signal during the stop does not cut it short (console/processes.py)."""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from console import demo
from console.processes import StopSignals, Supervisor, web_command, worker_command
from console.runs import workers
from sandbox.errors import SandboxError
from sandbox.server import SandboxProcess


class Command(BaseCommand):
    help = "Start the console (sandbox, worker, web) with a demo user, in the foreground."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args: Any, port: int, host: str, **options: Any) -> None:
        # SIGTERM (make, docker stop, kill) takes the same orderly path as Ctrl-C.
        self.signals = StopSignals()
        self.signals.install()
        self.supervisor = Supervisor(self.signals)
        self.sandbox: SandboxProcess | None = None
        try:
            self._check_redis()
            call_command("migrate", interactive=False, verbosity=0)
            password = os.environ.get("DEMO_PASSWORD") or demo.generate_password()
            sign_ins = [demo.SignIn(demo.DEMO_USERNAME, password, "")]
            if settings.CONSOLE_SANDBOX:
                sign_ins = self._start_sandbox(password)
            else:
                demo.ensure_demo_user(password)
            settings.LOCAL_DIR.mkdir(parents=True, exist_ok=True)
            self.supervisor.spawn("worker", worker_command())
            access_log = str(settings.LOCAL_DIR / "access.log")
            self.supervisor.spawn("web", web_command(host, port, access_log=access_log))
            self._announce(host, port, sign_ins)
            self._wait()
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop_all()

    def _check_redis(self) -> None:
        try:
            workers.redis_client().ping()
        except Exception:
            raise CommandError(
                f"Redis is not reachable at {settings.REDIS_URL}. Start it (for example "
                "`redis-server --daemonize yes`) or set REDIS_URL."
            ) from None

    def _start_sandbox(self, password: str) -> list[demo.SignIn]:
        self.sandbox = SandboxProcess(port=settings.SANDBOX_PORT)
        try:
            with self.signals.deferred():  # started, or known to stop()
                self.sandbox.start()
            sign_ins = demo.setup_sandbox_demo(self.sandbox.url, password, self.sandbox.control_secret)
        except SandboxError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Sandbox AWS (moto, IAM enforced) at {self.sandbox.url}")
        return sign_ins

    def _announce(self, host: str, port: int, sign_ins: list[demo.SignIn]) -> None:
        shown = "localhost" if host in {"127.0.0.1", "0.0.0.0"} else host  # noqa: S104 - a comparison, not a bind
        first, *others = sign_ins
        lines = [
            "",
            f"  AWS console running at http://{shown}:{port}/",
            f"  Sign in as: {first.username}",
            f"  Password:   {first.password}",
        ]
        if others:
            lines.append(f"  Team {demo.TEAM_SLUG} (owner {first.username}):")
            lines.extend(f"    {s.username:<8} {s.role:<8} password {s.password}" for s in others)
        lines.append("  Try: aws sts get-caller-identity   (Ctrl-C here stops everything)")
        self.stdout.write("\n".join(lines) + "\n")

    def _wait(self) -> None:
        while True:
            exited = self.supervisor.exited()
            if exited is not None:
                raise CommandError(f"the {exited[0]} process exited (code {exited[1]}); stopping the console")
            if self.sandbox is not None and not self.sandbox.is_running():
                raise CommandError("the sandbox stopped; stopping the console")
            time.sleep(0.5)

    def _stop_all(self) -> None:
        self.supervisor.stop()  # from here on, signals are noted, not raised
        if self.sandbox is not None:
            self.sandbox.stop()
