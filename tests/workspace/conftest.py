from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.workspace.files import Files
from console.workspace.service import Workspace
from tests.workspace.support import local_files


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return local_files(tmp_path / "storage")


@pytest.fixture
def ws(alice: Any, files: Files) -> Workspace:
    return Workspace(alice, (), files)


@pytest.fixture
def oracle_dir(tmp_path: Path) -> Path:
    where = tmp_path / "oracle"
    where.mkdir()
    return where
