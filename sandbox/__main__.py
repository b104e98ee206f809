"""``python -m sandbox``: start, seed and lock a local AWS, then wait for Ctrl-C.

The server runs in a child process (SandboxProcess) rather than in this one, so
this process is only the supervisor: it seeds over HTTP like any other client,
and on Ctrl-C or SIGTERM it stops the server before exiting, leaving no orphan.
The demo user's secret key is never printed; only code that seeds (the console's
embedded sandbox, the tests) receives it, in a SandboxSeed. Neither is the control
secret (sandbox.control): ``--control-secret-file`` writes it to an owner-only file
for a developer who wants to call the control plane later.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
from types import FrameType

from sandbox import control
from sandbox.errors import SandboxError
from sandbox.seed import SandboxSeed, enforce_auth, seed_demo
from sandbox.server import DEFAULT_HOST, DEFAULT_PORT, SandboxProcess


def _port_from_env() -> int:
    value = os.environ.get("SANDBOX_PORT", str(DEFAULT_PORT))
    try:
        return int(value)
    except ValueError:
        raise SandboxError(f"SANDBOX_PORT must be a port number, not {value!r}") from None


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Run a seeded moto server with IAM auth enforced, until Ctrl-C.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, help=f"default: $SANDBOX_PORT or {DEFAULT_PORT}")
    parser.add_argument(
        "--control-secret-file", metavar="PATH", help="write this start's control secret there (owner-only)"
    )
    return parser.parse_args(argv)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # The server is in its own process group, so only this process hears the
    # signal; turning it into KeyboardInterrupt runs the same cleanup as Ctrl-C.
    raise KeyboardInterrupt


def _sso_password() -> tuple[str, bool]:
    """The directory user's password: $SANDBOX_SSO_PASSWORD, else a fresh one (shown)."""
    password = os.environ.get("SANDBOX_SSO_PASSWORD")
    return (password, False) if password else (secrets.token_urlsafe(12), True)


def _describe(url: str, seed: SandboxSeed, sso_password: str | None) -> str:
    roles = [seed.readonly_role_arn, seed.admin_role_arn, seed.cross_account_role_arn]
    lines = [
        f"sandbox ready at {url} (IAM auth enforced, region {seed.region})",
        f"  account {seed.account_id}, user {seed.user_name} "
        f"(access key {seed.access_key_id}; secret not shown)",
        *(f"  role {arn}" for arn in roles if arn),
    ]
    if seed.identity_center:
        # A generated sign-in password is shown: a person needs it on the verification page.
        shown = sso_password if sso_password else "$SANDBOX_SSO_PASSWORD"
        lines.append(
            f"  Identity Center start URL {seed.identity_center.start_url} "
            f"(region {seed.identity_center.region}), directory user demo, password {shown}"
        )
    lines.append("press Ctrl-C to stop")
    return "\n".join(lines)


def run(host: str, port: int, secret_file: str | None = None) -> int:
    with SandboxProcess(port=port, host=host) as sandbox:
        secret = sandbox.control_secret
        if secret_file:
            control.write_secret_file(secret_file, secret)
        password, generated = _sso_password()
        seed = seed_demo(sandbox.url, secret=secret, sso_password=password)
        enforce_auth(sandbox.url, secret=secret)
        print(_describe(sandbox.url, seed, password if generated else None), flush=True)
        status = sandbox.wait()
    print(f"sandbox: the server exited unexpectedly (status {status})", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        port = args.port if args.port is not None else _port_from_env()
        return run(args.host, port, args.control_secret_file)
    except SandboxError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sandbox: stopped", file=sys.stderr)
        return 0


if __name__ == "__main__":
    sys.exit(main())
