"""The oracle: the `awscli` package's `aws` (v1) run in separate processes against the
sandbox, configured to behave as AWS CLI v2 does by default.

Design decision: the oracle is v1 (the only CLI on PyPI), so two v2 differences are
bridged here and only here. Timestamps: `cli_timestamp_format = iso8601` in its config,
v2's default. Exit codes: v1 exits 2 for argparse errors and 255 for everything else, from
an unknown option to a service error; v2 tells them apart. `V2_RETURN_CODES` translates
by what v1 printed, following "Command line return codes" in the AWS CLI v2 user guide
and v2's `awscli/errorhandler.py`, which decides them:

    0    success
    252  ParamValidationErrorsHandler and UnknownArgumentErrorHandler: argparse usage
         errors, "Unknown options", "Error parsing parameter" (ParamError and shorthand
         ParamSyntaxError), botocore's "Parameter validation failed"
    253  NoCredentialsErrorHandler, NoRegionErrorHandler, ConfigurationErrorHandler
    254  ClientErrorHandler: the request was made and the service answered with an error
    255  GeneralExceptionHandler: anything else, e.g. "invalid literal for int()" for a
         non-integer value of an integer parameter (a bare ValueError in v1 and v2 alike)
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKER = Path(__file__).with_name("oracle_worker.py")

# (v1 exit code, a regular expression searched in v1's stderr) -> v2 exit code; first match wins.
V2_RETURN_CODES: list[tuple[int, str, int]] = [
    (0, r"", 0),
    (2, r"", 252),  # argparse: "the following arguments are required", invalid choice
    (252, r"", 252),
    (255, r"^An error occurred \(", 254),  # a ClientError: the service answered with an error
    (255, r"^Unknown options: ", 252),
    (255, r"^Parameter validation failed:", 252),
    (255, r"^Error parsing parameter ", 252),  # JSON and shorthand syntax errors
    (255, r"^Unable to locate credentials", 253),
    (255, r"^You must specify a region", 253),
    # v2's code lets ProfileNotFound fall through to 255, but its return-code documentation
    # puts "missing configuration" at 253; the console follows the documentation.
    (255, r"^The config profile \(.*\) could not be found", 253),
    (255, r"", 255),
]

REQUEST_ID = re.compile(
    r"(request id: |RequestId: |Request ID: )[0-9A-Za-z-]+|"
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
)


def v2_exit_code(v1_code: int, stderr: str) -> int:
    for code, pattern, v2_code in V2_RETURN_CODES:
        if code == v1_code and re.search(pattern, stderr.strip(), re.MULTILINE):
            return v2_code
    return v1_code


def normalize_stderr(stderr: str) -> str:
    return REQUEST_ID.sub(lambda m: (m.group(1) or "") + "<request-id>", stderr)


def message_line(stderr: str) -> str:
    """The line of a parse error a user acts on. v1's usage banner carries a note about v2,
    so only the last non-empty line is compared for usage errors."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


@dataclass(frozen=True)
class Result:
    stdout: str
    stderr: str
    exit_code: int


def write_config(directory: Path, url: str, seed: Any) -> dict[str, str]:
    """An isolated config: v2's timestamp default, the demo keys, and `admin` as a role."""
    config = directory / "config"
    credentials = directory / "credentials"
    common = f"region = us-east-1\noutput = json\ncli_timestamp_format = iso8601\nendpoint_url = {url}\n"
    config.write_text(
        f"[default]\n{common}\n"
        f"[profile readonly]\n{common}role_arn = {seed.readonly_role_arn}\nsource_profile = default\n\n"
        f"[profile admin]\n{common}role_arn = {seed.admin_role_arn}\nsource_profile = default\n"
    )
    credentials.write_text(
        f"[default]\naws_access_key_id = {seed.access_key_id}\n"
        f"aws_secret_access_key = {seed.secret_access_key}\n"
    )
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(directory),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_PAGER": "",
        "COLUMNS": "80",
    }


class Oracle:
    """Runs command lines through a few long-lived oracle processes (oracle_worker.py),
    each line once per session: the key is the argument list, so `aws x` and
    `aws x --output yaml` asked as json are one run."""

    def __init__(self, url: str, env: dict[str, str], workers: int = 3, cwd: Path | None = None) -> None:
        """`cwd`: the folder the oracle's `file://` values and outfiles are relative to."""
        self._url = url
        self._idle: queue.Queue[subprocess.Popen[str]] = queue.Queue()
        self._processes = [self._start(env, cwd) for _ in range(workers)]
        for process in self._processes:
            self._idle.put(process)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="oracle")
        self._futures: dict[tuple[str, ...], Future[Result]] = {}

    def prefetch(self, command: str) -> tuple[str, ...]:
        argv = tuple(shlex.split(command))
        assert argv[0] == "aws", command
        if argv not in self._futures:
            self._futures[argv] = self._pool.submit(self._run, [*argv[1:], "--endpoint-url", self._url])
        return argv

    def run(self, command: str) -> Result:
        return self._futures[self.prefetch(command)].result()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        for process in self._processes:
            process.stdin.close()  # type: ignore[union-attr]
            process.wait(timeout=10)

    @staticmethod
    def _start(env: dict[str, str], cwd: Path | None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(WORKER)],
            env=env,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def _run(self, argv: list[str]) -> Result:
        process = self._idle.get()
        try:
            process.stdin.write(json.dumps(argv) + "\n")  # type: ignore[union-attr]
            process.stdin.flush()  # type: ignore[union-attr]
            reply = json.loads(process.stdout.readline())  # type: ignore[union-attr]
        finally:
            self._idle.put(process)
        return Result(reply["stdout"], reply["stderr"], v2_exit_code(reply["rc"], reply["stderr"]))
