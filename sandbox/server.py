"""Run moto as a real HTTP server, in its own process.

Design decision: the sandbox is always a separate OS process speaking HTTP, never
moto's in-process mocks. The console, its Celery workers and the ``awscli`` oracle
are separate processes too, and they must all see one shared AWS; over HTTP every
request is also signed by botocore and checked by moto's IAM emulation, so a bad
signature or a missing permission fails exactly where it would on AWS.

``python -m sandbox.server`` is the foreground server (werkzeug, threaded, like
moto's ``ThreadedMotoServer``). ``SandboxProcess`` starts that module as a child
process and owns its lifetime, and with it the control secret (sandbox.control):
generated per start, handed to the child in its environment only, and given to
whoever seeds through ``SandboxProcess.control_secret``.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from types import FrameType, TracebackType
from typing import IO, Any

from sandbox import control
from sandbox.errors import SandboxError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
# Exit status of the server when it cannot bind; SandboxProcess turns it into the
# "port is in use" message instead of a generic "server exited" one.
EXIT_PORT_IN_USE = 3
STOP_GRACE_SECONDS = 5.0
# moto settings a developer's shell may carry that would silently change the
# sandbox: a fixed account for every request, or auth switched on before seeding.
SCRUBBED_ENV = ("MOTO_ACCOUNT_ID", "INITIAL_NO_AUTH_ACTION_COUNT", "MOTO_PORT", control.SECRET_ENV)


def port_in_use_message(port: int) -> str:
    return f"port {port} is already in use; set SANDBOX_PORT to another port"


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


# --- the server (child process side) -------------------------------------------------


def _quiet_handler() -> type:
    """moto's request handler without the per-request access log line, keeping the SSO token.

    Only the access log goes: werkzeug still reports errors (tracebacks of a
    failing moto backend) on stderr, which is where a broken demo gets debugged.
    """
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    from sandbox.identitycenter.app import BEARER_TOKEN_ENVIRON, BEARER_TOKEN_HEADER

    class QuietMotoRequestHandler(MotoRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

        def make_environ(self) -> dict[str, Any]:
            # werkzeug drops headers with an underscore, and the SSO portal's bearer
            # token arrives in "x-amz-sso_bearer_token"; pass it under its own key.
            environ = super().make_environ()
            token = self.headers.get(BEARER_TOKEN_HEADER)
            if token is not None:
                environ[BEARER_TOKEN_ENVIRON] = token
            return environ

    return QuietMotoRequestHandler


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds serve_forever() in the main thread, so the socket is closed.
    sys.exit(0)


def _exit_when_orphaned(parent_pid: int) -> None:
    """Stop the server if the process that started it dies without stopping it.

    SandboxProcess puts the server in its own process group (so a Ctrl-C in the
    terminal reaches the parent, which then stops the server in order). The price
    is that a SIGKILLed parent (or a killed pytest) would leave an orphan holding
    the port; polling the parent id is the portable way to notice that.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="sandbox-parent-watch", daemon=True).start()


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so "port in use" gets its own exit status.

    werkzeug would print its own message and exit 1, like any other failure.
    """
    try:
        return socket.create_server((host, port), family=_family(host), backlog=128)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(port_in_use_message(port), file=sys.stderr)
            sys.exit(EXIT_PORT_IN_USE)
        raise


def _loopback_url(host: str, port: int) -> str:
    """How the server reaches itself (Identity Center calls moto's STS over HTTP)."""
    if host in ("", "0.0.0.0"):  # noqa: S104 (a bind address, compared, not bound)
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    netloc = f"[{host}]" if _family(host) == socket.AF_INET6 else host
    return f"http://{netloc}:{port}"


def serve(host: str, port: int, secret: str) -> None:
    """Serve moto and the Identity Center on host:port in the foreground until SIGINT or SIGTERM.

    Control paths answer only requests that carry ``secret`` (sandbox.control)."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from sandbox import signing
    from sandbox.identitycenter.app import IdentityCenterApp

    signing.install()
    # moto builds some URLs it returns (SQS queue URLs, Lambda callbacks) from this.
    os.environ["MOTO_PORT"] = str(port)
    # Identity Center (which moto lacks) is served in front of moto, on the same port.
    center = IdentityCenterApp(DomainDispatcherApplication(create_backend_app), _loopback_url(host, port))
    app = control.ControlGate(center, secret)
    with _listen(host, port) as sock:
        server = make_server(
            host, port, app, threaded=True, request_handler=_quiet_handler(), fd=sock.fileno()
        )
    signal.signal(signal.SIGINT, _exit_on_signal)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    print(f"sandbox: moto server listening on {host} port {port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve moto on loopback (the sandbox).")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--exit-with-parent",
        type=int,
        metavar="PID",
        help="stop when process PID is no longer this server's parent",
    )
    parser.add_argument(
        "--control-secret-file",
        metavar="PATH",
        help=f"make a fresh control secret and write it to PATH (owner-only); else ${control.SECRET_ENV}",
    )
    args = parser.parse_args(argv)
    secret = _control_secret(args.control_secret_file)
    if args.exit_with_parent:
        _exit_when_orphaned(args.exit_with_parent)
    serve(args.host, args.port, secret)


def _control_secret(path: str | None) -> str:
    """A fresh secret written where the seeder reads it, or the one the owner passed in.

    Taken out of os.environ, so nothing this process starts inherits it.
    """
    given = os.environ.pop(control.SECRET_ENV, "")
    if path:
        secret = control.generate_secret()
        control.write_secret_file(path, secret)
        return secret
    if not given:
        sys.exit(f"sandbox: no control secret: pass --control-secret-file PATH or set {control.SECRET_ENV}")
    return given


# --- the owner (parent process side) -------------------------------------------------


def pick_free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def is_port_free(host: str, port: int) -> bool:
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        # Same option werkzeug sets, so connections left in TIME_WAIT by a
        # previous sandbox do not count as "in use" here when they would not there.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def answers_http(url: str, timeout: float = 1.0) -> bool:
    # The health probe is answered in front of moto: it needs no secret or
    # credentials and does not count towards INITIAL_NO_AUTH_ACTION_COUNT.
    try:
        # S310: url is always one SandboxProcess built, http:// on loopback.
        with urllib.request.urlopen(f"{url}{control.HEALTH_PATH}", timeout=timeout):  # noqa: S310
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class SandboxProcess:
    """A moto server child process on loopback; a context manager.

    Output goes to a private temporary file rather than a pipe (a pipe nobody
    reads would block the server once full); its tail is quoted when start fails.
    ``control_secret`` is new for every start; pass it to seed_demo, enforce_auth
    and configure_identity_center.
    """

    def __init__(self, port: int | None = None, host: str = DEFAULT_HOST) -> None:
        self.host = host
        self.port = port if port is not None else pick_free_port(host)
        netloc = f"[{host}]" if _family(host) == socket.AF_INET6 else host
        self.url = f"http://{netloc}:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.control_secret = ""

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"<SandboxProcess {self.url} {state}>"

    def __enter__(self) -> SandboxProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 30) -> None:
        """Launch the server and return once it answers HTTP."""
        if self.is_running():
            raise SandboxError(f"the sandbox at {self.url} is already running")
        if not is_port_free(self.host, self.port):
            raise SandboxError(port_in_use_message(self.port))
        self._launch()
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _launch(self) -> None:
        self._log = tempfile.TemporaryFile(prefix="sandbox-", suffix=".log")
        self.control_secret = control.generate_secret()
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
        env[control.SECRET_ENV] = self.control_secret
        # moto's request recorder writes to ./moto_recording by default, and a recording
        # holds every request (signatures, the control header): keep it in a private
        # temporary folder, never in the project's tree.
        env.setdefault(
            "MOTO_RECORDER_FILEPATH", os.path.join(tempfile.mkdtemp(prefix="sandbox-"), "moto_recording")
        )
        command = [
            sys.executable,
            "-m",
            "sandbox.server",
            f"--host={self.host}",
            f"--port={self.port}",
            f"--exit-with-parent={os.getpid()}",
        ]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=_project_root(),
            env=env,
            start_new_session=True,
        )

    def _wait_until_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self._process.poll()
            if status == EXIT_PORT_IN_USE:
                raise SandboxError(port_in_use_message(self.port))
            if status is not None:
                raise SandboxError(f"the sandbox server exited with status {status}:\n{self._log_tail()}")
            if answers_http(self.url):
                return
            time.sleep(0.05)
        raise SandboxError(
            f"the sandbox server did not answer on {self.url} within {timeout:g}s:\n{self._log_tail()}"
        )

    def wait(self) -> int:
        """Block until the server exits (it only does when stopped or broken)."""
        if self._process is None:
            raise SandboxError("the sandbox was never started")
        return self._process.wait()

    def stop(self) -> None:
        """Terminate the server; kill it if it has not exited within 5 s."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _log_tail(self, limit: int = 4000) -> str:
        if self._log is None:
            return ""
        # pread, not seek+read: the child shares this file's offset, and moving it
        # would make the server overwrite its own log.
        fd = self._log.fileno()
        size = os.fstat(fd).st_size
        start = max(0, size - limit)
        return os.pread(fd, size - start, start).decode(errors="replace")


def _project_root() -> str:
    # The child runs "-m sandbox.server", which must import this very package
    # whatever the caller's working directory is.
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


if __name__ == "__main__":
    main()
