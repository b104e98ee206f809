"""Turn a line typed in the web terminal into an AWS call (or a console builtin).

Django-free and model-driven: services, operations and parameters come from botocore's
service models, named and checked as the AWS CLI names and checks them, so any command
from AWS documentation means the same here. See `parser.py` for the pipeline and
docs/cli.md for the API: `parse_command` (-> Invocation | Builtin | Skeleton | S3Command),
`redact_line`, `render_help` (the text for a `Builtin("help")`) and `complete` (tab
completion).
"""

from __future__ import annotations

from . import catalog
from .completion import complete
from .editing import set_global_options
from .errors import CommandError
from .globalopts import GlobalOptions
from .help import render_help
from .parser import Builtin, Invocation, Skeleton, parse_command
from .redaction import MASK, holds_redacted_value, redact_line
from .s3commands import S3Command
from .sensitivity import output_is_sensitive

__all__ = [
    "Builtin",
    "CommandError",
    "GlobalOptions",
    "Invocation",
    "MASK",
    "S3Command",
    "Skeleton",
    "complete",
    "holds_redacted_value",
    "operation_names",
    "output_is_sensitive",
    "parse_command",
    "redact_line",
    "render_help",
    "service_names",
    "set_global_options",
]


def service_names() -> list[str]:
    """The services a user can call, by their CLI names, sorted (hidden aliases left out)."""
    return sorted(catalog.visible_services())


def operation_names(cli_service: str) -> list[str]:
    """The commands of a service that this console runs, sorted; [] for an unknown service."""
    if catalog.service_table().get(cli_service) is None:
        return []
    return sorted(
        name
        for name, entry in catalog.command_table(cli_service).items()
        if entry.operation is not None and not entry.hidden
    )
