"""Terminal builtins that are not AWS calls. They run through the same pipeline as any
command, so they are audited and replayable like the rest."""

from __future__ import annotations

from typing import Any

from console.interpreter import Builtin
from console.runs.models import CommandRun
from credentials.models import ConfigSection, SectionKind

HELP = """This terminal runs AWS CLI commands on the server with your console identity.

  aws <service> <operation> [parameters]   e.g. aws sts get-caller-identity
  aws s3api list-buckets --output json     global options: --profile --region --output --query
  whoami                                   your console user and profiles
  clear                                    clear the screen (or Ctrl-L)
  help                                     this text

Keys: Up/Down history, Ctrl-C cancels a running command, Ctrl-A/Ctrl-E start/end of line.
"""


def run_builtin(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    if builtin.name == "help":
        sink.write("stdout", HELP)
        return 0
    if builtin.name == "whoami":
        names = ConfigSection.objects.filter(owner=run.user, kind=SectionKind.PROFILE).values_list("name", flat=True)
        profiles = ", ".join(names) or "none"
        sink.write("stdout", f"{run.user.get_username()}\nprofiles: {profiles}\n")
        return 0
    if builtin.name == "clear":
        sink.write("stdout", "\x1b[H\x1b[2J")
        return 0
    sink.write("stderr", f"console: {builtin.name}: not a builtin\n")
    return 127
