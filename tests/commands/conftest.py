"""The workspace fixtures, for the file builtins: the same ones tests/workspace/ uses."""

from tests.workspace.conftest import files, oracle_dir, ws

__all__ = ["files", "oracle_dir", "ws"]
