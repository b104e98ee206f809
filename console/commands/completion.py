"""Tab completion for a terminal: the interpreter's completion, with workspace paths for
the file builtins and `file://` values (the interpreter cannot see the workspace)."""

from __future__ import annotations

from typing import Any

from console.interpreter import complete
from console.workspace.service import for_terminal


def complete_line(user: Any, terminal_id: str, line: str, cursor: int) -> list[str]:
    workspace = for_terminal(user, terminal_id)  # the current directory is read only if needed
    return complete(line, cursor, paths=workspace.completions)
