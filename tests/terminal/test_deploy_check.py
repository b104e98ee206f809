"""`manage.py check --deploy` with the production settings: no warning but the ones
documented and accepted, and the production defaults of the origin settings."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys

from tests.conftest import ROOT

# Warnings accepted for a production deployment, each for a reason (docs/security.md,
# "Deployment check"):
ACCEPTED = {
    # HSTS preload is off unless SECURE_HSTS_PRELOAD=true: submitting a domain to the
    # browsers' preload list binds it and every subdomain to HTTPS for months, a choice
    # for the domain's owner, not a default of one application.
    "security.W021",
}


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "CSRF_", "SESSION_COOKIE_", "CONSOLE_", "DJANGO_"))
        and key not in {"DEBUG", "PORT", "ALLOWED_HOSTS", "SECRET_KEY"}
    }
    env.update(
        CONSOLE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        CONSOLE_ENCRYPTION_KEYS="k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="console.example.com",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        DJANGO_SETTINGS_MODULE="console.settings",
    )
    env.update(extra)
    return env


def manage(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_ids(output: str) -> set[str]:
    return set(re.findall(r"\(([a-z_]+\.[A-Z]\d+)\)", output))


def test_it_passes_the_deployment_check_but_for_accepted_warnings():
    result = manage("check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert check_ids(output) <= ACCEPTED, output
    assert "ERRORS" not in output


def test_it_passes_the_deployment_check_cleanly_with_hsts_preload():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_PRELOAD="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


SHOW_ORIGINS = (
    "import json; from django.conf import settings;"
    " print(json.dumps([settings.CONSOLE_ORIGINS, settings.CSRF_TRUSTED_ORIGINS]))"
)


def test_it_trusts_https_on_the_production_host_names():
    result = manage("shell", "-v", "0", "-c", SHOW_ORIGINS, ALLOWED_HOSTS="console.example.com,.example.org")
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [["https://console.example.com"]] * 2


def test_it_refuses_to_start_with_an_origin_that_is_not_one():
    for bad in ("https://*.example.com", "console.example.com", "https://console.example.com/path"):
        result = manage("check", CONSOLE_ORIGINS=bad)
        assert result.returncode != 0, bad
        assert "CONSOLE_ORIGINS" in result.stderr, result.stderr
