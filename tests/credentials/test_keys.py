"""Sealing keys: rotation re-seals everything, a tampered value never opens, and the app
refuses to start without a key outside the local default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from console.runs import environment, lifecycle, submission
from console.runs.models import CommandRun, RunSource, TerminalEnvironment
from credentials import broker, crypto
from credentials.models import CachedSession, ConfigSection
from credentials.services import save_profile

ROOT = Path(__file__).resolve().parents[2]


def _key_ids() -> set[str]:
    sealed = [
        *ConfigSection.objects.exclude(sealed_secrets="").values_list("sealed_secrets", flat=True),
        *CachedSession.objects.values_list("sealed_credentials", flat=True),
        *TerminalEnvironment.objects.exclude(sealed_values="").values_list("sealed_values", flat=True),
        *CommandRun.objects.exclude(sealed_command="").values_list("sealed_command", flat=True),
        *CommandRun.objects.exclude(sealed_stdin="").values_list("sealed_stdin", flat=True),
    ]
    return {value.split(":")[1] for value in sealed}


def test_rotate_keys_reseals_everything_with_the_new_key(alice_profiles, settings, capsys):
    broker.resolve_session(alice_profiles, profile="admin")
    environment.export(alice_profiles, "t1", {"AWS_SECRET_ACCESS_KEY": "x" * 40})
    submission.submit_run(alice_profiles, "aws sts get-caller-identity", source=RunSource.API, stdin="123456")
    old = settings.CONSOLE_ENCRYPTION_KEYS
    assert _key_ids() == {old.split(":")[0]}
    settings.CONSOLE_ENCRYPTION_KEYS = f"k-new:{crypto.generate_key()},{old}"
    call_command("rotate_keys")
    assert "re-sealed" in capsys.readouterr().out
    assert _key_ids() == {"k-new"}
    # The old key can go: everything still opens with the new one alone.
    settings.CONSOLE_ENCRYPTION_KEYS = settings.CONSOLE_ENCRYPTION_KEYS.split(",")[0]
    assert broker.load_profiles(alice_profiles)["default"].secrets["aws_access_key_id"]
    assert environment.load(alice_profiles, "t1") == {"AWS_SECRET_ACCESS_KEY": "x" * 40}
    assert lifecycle.take_stdin(CommandRun.objects.get()) == "123456"


def test_a_tampered_secret_fails_to_open(alice):
    section = save_profile(alice, "p", {"aws_access_key_id": "AKIAX", "aws_secret_access_key": "y" * 40})
    body = section.sealed_secrets
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    ConfigSection.objects.filter(pk=section.pk).update(sealed_secrets=flipped)
    with pytest.raises(crypto.CryptoError):
        broker.load_profiles(alice)


def _manage_check(env_changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_app_refuses_to_start_without_a_key_in_production():
    done = _manage_check(
        {
            "CONSOLE_ENV": "production",
            "CONSOLE_ENCRYPTION_KEYS": None,
            "SECRET_KEY": "s" * 50,
            "ALLOWED_HOSTS": "console.example.com",
        }
    )
    assert done.returncode != 0
    assert "CONSOLE_ENCRYPTION_KEYS is required" in done.stderr


def test_the_app_refuses_to_start_with_a_malformed_key():
    done = _manage_check({"CONSOLE_ENCRYPTION_KEYS": "k1:not-base64!"})
    assert done.returncode != 0
    assert "encryption key 'k1' is not valid base64" in done.stderr
