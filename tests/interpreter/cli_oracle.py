"""The awscli package (the oracle, a test dependency only) asked in-process what a command
line means: the parameters its argument processing hands to botocore, its error text, or
what it prints (skeletons).

Its client call is stopped at `before-parameter-build`, after every CLI customization
has written the parameters and before anything is validated or sent. Idempotency tokens
the CLI fills in with random UUIDs are dropped, since the console leaves them to botocore.
Each line gets a fresh driver (the CLI's driver keeps per-command handlers between runs);
they share one model loader, so that costs ~0.1 s, not ~1 s.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import os
import shlex
from typing import Any

_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "not-a-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
}


class _Stop(Exception):
    pass


@functools.cache
def _loader() -> Any:
    from awscli.clidriver import create_clidriver

    return create_clidriver().session.get_component("data_loader")


@contextlib.contextmanager
def _environment() -> Any:
    old = {name: os.environ.get(name) for name in _ENVIRONMENT}
    os.environ.update(_ENVIRONMENT)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(line: str, holder: dict[str, Any] | None) -> tuple[int, str, str]:
    from awscli.clidriver import create_clidriver

    with _environment():
        driver = create_clidriver()
        driver.session.register_component("data_loader", _loader())
        if holder is not None:
            driver.session.register("before-parameter-build", functools.partial(_capture, holder))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            rc = driver.main(shlex.split(line)[1:])
    return rc, out.getvalue(), err.getvalue()


def _capture(holder: dict[str, Any], params: dict[str, Any], model: Any, **kwargs: Any) -> None:
    members = model.input_shape.members if model.input_shape else {}
    holder["params"] = {
        key: copy.deepcopy(value)
        for key, value in params.items()
        if not (key in members and members[key].metadata.get("idempotencyToken"))
    }
    raise _Stop


def cli_parameters(line: str) -> tuple[dict[str, Any] | None, str]:
    """(the parameters, or None on error) and what the CLI printed to stderr."""
    holder: dict[str, Any] = {}
    _, _, stderr = _run(line, holder)
    return holder.get("params"), stderr


def cli_output(line: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of a line that makes no AWS call (a skeleton)."""
    return _run(line, None)
