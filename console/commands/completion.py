"""Tab completion for a terminal: the interpreter's completion, with the profile names the
user may use (their own and their teams') and workspace paths for the file builtins and
`file://` values (the interpreter sees neither the database nor the workspace)."""

from __future__ import annotations

from typing import Any

from console.interpreter import complete
from console.workspace.service import for_terminal
from credentials.profiles import profile_names


def complete_line(user: Any, terminal_id: str, line: str, cursor: int) -> list[str]:
    # Each source is read (one query, or a directory listing) only when its words are completed.
    workspace = for_terminal(user, terminal_id)
    return complete(line, cursor, profiles=lambda: profile_names(user), paths=workspace.completions)
