"""Files per user and per team, on Django's storage API, with quotas and safe paths.

What other packages use (docs/workspace.md):

- `Workspace(user, cwd)` / `for_terminal(user, terminal_id)`: one user's view, paths
  relative to the terminal's current directory; `locate(typed) -> Location`, then
  `stat`, `listdir`, `open`, `read_bytes`, `write(location, chunks)` (all or nothing,
  quota counted as it streams), `make_dir`, `remove_file|dir|tree`, `copy_file`,
  `copy_tree`, `move`, `usage(area)`, `completions(word)`, `read_param_file(typed)`.
- `save_cwd` / `load_cwd`: the per-terminal current directory.
- errors.py: `WorkspaceError` and its kinds, each with the errno and strerror a file
  system would give.
- access.py: `team_access(user, slug)`, the one question about team folders (answered
  by console/teams/folders.py).

Commands reach it through `CommandContext.workspace`; the Django-free engine and
interpreter only ever get callables that the commands layer builds from it."""

from __future__ import annotations
