"""What the guardrail check costs a command (issue 11): `aws sts get-caller-identity`
through the whole console on two personal profiles holding the same keys, one without a
policy (`plain`) and one with the "production" preset and tag (`guarded`, where the
command's Read level is allowed after its classification and the policy lookup), measured
interleaved in one run so the machine's noise falls on both alike.

The noise is the difference between the medians of the odd and the even `plain` rounds;
the budget is that `guarded` stays within that noise plus 2% of `plain`'s median.
Usage: `make bench` (env: BENCH_ROUNDS, default 200)."""

from __future__ import annotations

import json
import os
import statistics
from typing import Any

import harness
from latency import _run


def install_profiles(console: harness.Console) -> None:
    from django.contrib.auth import get_user_model

    from console.engine.policies import PRESETS
    from credentials.models import ConfigSection
    from credentials.services import save_profile

    user = get_user_model().objects.get(username=console.username)
    keys = {
        "region": console.seed.region,
        "output": "json",
        "endpoint_url": console.sandbox_url,
        "aws_access_key_id": console.seed.access_key_id,
        "aws_secret_access_key": console.seed.secret_access_key,
    }
    for name in ("plain", "guarded"):
        save_profile(user, name, keys)
    guarded = ConfigSection.objects.filter(owner=user, team=None, name="guarded")
    guarded.update(policy=dict(PRESETS["production"]), production=True)


def policy_in_force(ws: Any) -> bool:
    """A write on `guarded` is refused (personal profiles have no approvers): the policy is
    read and applied, so the timed rounds measure a real check."""
    ws.send(json.dumps({"type": "run", "command": "aws s3api create-bucket --bucket b --profile guarded"}))
    while (frame := json.loads(ws.recv()))["type"] != "exit":
        pass
    return bool(frame["code"] == 254 and frame["status"] == "rejected")


def measure(console: harness.Console, rounds: int) -> tuple[list[float], list[float]]:
    plain, guarded = [], []
    with console.terminal() as ws:
        if not policy_in_force(ws):
            raise RuntimeError("the production policy on `guarded` did not refuse a write")
        for _ in range(10):
            _run(ws, "aws sts get-caller-identity --profile plain")
            _run(ws, "aws sts get-caller-identity --profile guarded")
        for _ in range(rounds):
            plain.append(_run(ws, "aws sts get-caller-identity --profile plain"))
            guarded.append(_run(ws, "aws sts get-caller-identity --profile guarded"))
    return plain, guarded


def main() -> int:
    harness.prepare_environment()
    rounds = int(os.environ.get("BENCH_ROUNDS", "200"))
    with harness.running_console() as console:
        install_profiles(console)
        plain, guarded = measure(console, rounds)
    print("aws sts get-caller-identity, without and with a guardrail policy, interleaved:")
    plain_median = harness.report("console, no policy", plain)
    guarded_median = harness.report("console, production", guarded)
    noise = abs(statistics.median(plain[0::2]) - statistics.median(plain[1::2]))
    difference = guarded_median - plain_median
    allowed = noise + 0.02 * plain_median
    print(
        f"  production - no policy = {difference * 1000:+.2f} ms; noise (odd vs even no-policy rounds)"
        f" {noise * 1000:.2f} ms; budget: at most {allowed * 1000:.2f} ms (noise + 2%)"
    )
    ok = difference <= allowed
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
