"""Sealing keys: rotation re-seals everything, a tampered value never opens, and the app
refuses to start without a key outside the local default. Every sealed column is declared
by its model and found by rotation through that declaration."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from console.accounts.models import SealedTOTPDevice
from console.runs import environment, lifecycle, store, submission
from console.runs.models import CommandRun, OutputChunk, RunSource, TerminalEnvironment
from credentials import broker, cache, crypto
from credentials.models import CachedSession, ConfigSection, SsoSecret
from credentials.rotation import rotate_all
from credentials.services import save_profile
from credentials.types import AwsCredentials

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


SEALED = [
    (ConfigSection, "sealed_secrets"),
    (CachedSession, "sealed_credentials"),
    (SsoSecret, "sealed"),
    (CommandRun, "sealed_command"),
    (CommandRun, "sealed_stdin"),
    (TerminalEnvironment, "sealed_values"),
    (SealedTOTPDevice, "sealed_key"),
    (OutputChunk, "sealed_data"),
]


def test_it_registers_exactly_the_eight_sealed_columns():
    assert sorted(crypto.sealed_columns(), key=str) == sorted(SEALED, key=str)
    # A column named as sealed but not declared would be skipped by rotation.
    named = {
        (model, f.name)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if f.name.startswith("sealed")
    }
    assert named == set(SEALED)


def _one_row_of_each(user: Any) -> None:
    save_profile(user, "p", {"aws_access_key_id": "AKIAX", "aws_secret_access_key": "y" * 40})
    cache.store(
        user.pk, "k", "p", AwsCredentials("ASIAX", "s" * 40, "t" * 20, datetime(2099, 1, 1, tzinfo=UTC))
    )
    sso_row = SsoSecret(
        user=user, kind="token", key="k", label="sandbox", expires_at=datetime(2099, 1, 1, tzinfo=UTC)
    )
    sso_row.seal_data({"accessToken": "a" * 20})
    sso_row.save()
    run = CommandRun(user=user, source=RunSource.API, command="aws sts get-caller-identity")
    run.seal_command("aws sts get-caller-identity")
    run.seal_stdin("123456")
    run.save()
    store.append_chunk(
        run.pk, "stdout", '{"SecretString": "hunter2"}\n', seq=0, seal=store.OutputSeal(run.pk, user.pk)
    )
    environment.export(user, "t1", {"AWS_SECRET_ACCESS_KEY": "x" * 40})
    SealedTOTPDevice.create_unconfirmed(user)


def _tamper(model: Any, column: str) -> Any:
    """Flip one bit of the ciphertext's last byte (the tag's). Editing the base64 text
    instead was flaky: a changed character can differ only in padding bits that decoding
    drops, and then the value was not tampered at all."""
    row = model.objects.get()
    prefix, key_id, body = getattr(row, column).split(":", 2)
    blob = bytearray(base64.urlsafe_b64decode(body))
    blob[-1] ^= 0x01
    flipped = f"{prefix}:{key_id}:{base64.urlsafe_b64encode(bytes(blob)).decode()}"
    model.objects.filter(pk=row.pk).update(**{column: flipped})
    return row.pk


@pytest.mark.parametrize(("model", "column"), SEALED, ids=[f"{m.__name__}.{c}" for m, c in SEALED])
def test_it_reseals_a_row_of_every_sealed_column_and_reports_a_tampered_one(alice, settings, model, column):
    _one_row_of_each(alice)
    pk = _tamper(model, column)
    old = settings.CONSOLE_ENCRYPTION_KEYS
    settings.CONSOLE_ENCRYPTION_KEYS = f"k-new:{crypto.generate_key()},{old}"
    report = rotate_all()
    assert report.failed == [f"{model.__name__} {pk} {column}: sealed value failed its integrity check"]
    assert (report.resealed, report.current) == (len(SEALED) - 1, 0)
    # Every other value opens with the new key alone, under its own row's context.
    settings.CONSOLE_ENCRYPTION_KEYS = settings.CONSOLE_ENCRYPTION_KEYS.split(",")[0]
    for other, name in SEALED:
        if (other, name) != (model, column):
            row = other.objects.get()
            assert getattr(row, name).split(":")[1] == "k-new"
            assert crypto.open_sealed(getattr(row, name), row.secret_context(name))


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
