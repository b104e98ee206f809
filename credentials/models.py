"""Profiles follow the ~/.aws/config model: named sections of kind `profile`,
`sso-session` or `services`, each a flat dict of the file's keys. Non-secret keys live in
`settings` as plain JSON; secret keys (access keys, session tokens, a web identity token)
are sealed together in `sealed_secrets`, bound to the section's id and owner.

A section is owned by exactly one user or one team (`team`, a foreign key to
console.teams' Team, named by its label so this package never imports the console).
Which team sections a user may resolve is the console's decision, asked through
credentials/access.py; personal section names never contain "/", so `<team>/<name>`
always means a team's section (see docs/teams.md).

Each section also carries the console's guardrail policy for it (`policy`, `production`):
plain JSON the broker reads with the settings and hands on untouched, never interprets.

Temporary credentials the broker obtains are cached in `CachedSession`, sealed and bound
to the user and the cache key, so every worker shares one warm cache and sign-out or a
profile change drops it for all of them at once.

Each model names its sealed columns and their context (see credentials/crypto.py) and
seals and opens them itself, so no caller builds a context by hand."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from credentials import crypto


class SectionKind(models.TextChoices):
    PROFILE = "profile"
    SSO_SESSION = "sso-session"
    SERVICES = "services"


SECRET_KEYS = frozenset(
    {"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "web_identity_token"}
)


def team_secret_context(section_id: Any, team_id: int) -> str:
    """The sealing context of a team section: its id and the team's (the slug was used
    before teams were rows; migration 0004 resealed those)."""
    return f"config-section:{section_id}:team:{team_id}:secrets"


class ConfigSection(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="config_sections",
    )
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(max_length=16, choices=SectionKind.choices, default=SectionKind.PROFILE)
    name = models.CharField(max_length=128)
    settings = models.JSONField(default=dict, blank=True)
    sealed_secrets = models.TextField(blank=True)
    # The console's guardrail policy for a profile (access level -> allow/confirm/deny,
    # console/engine/policies.py) and whether it is tagged production. The broker only
    # carries them, read by the same query as the settings, so the worker decides
    # without another read; what they mean is the console's (docs/guardrails.md).
    policy = models.JSONField(default=dict, blank=True)
    production = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Sealed through credentials/crypto.py, each with its secret_context(column).
    sealed_columns: ClassVar[tuple[str, ...]] = ("sealed_secrets",)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "name"],
                condition=Q(team__isnull=True),
                name="section_owner_kind_name",
            ),
            models.UniqueConstraint(
                fields=["team", "kind", "name"],
                condition=Q(team__isnull=False),
                name="section_team_kind_name",
            ),
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(team__isnull=True))
                | (Q(owner__isnull=True) & Q(team__isnull=False)),
                name="section_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.kind} {self.name}]"

    def owner_label(self) -> str:
        return f"team:{self.team_id}" if self.team_id else f"owner:{self.owner_id}"

    def secret_context(self, column: str = "sealed_secrets") -> str:
        if self.team_id:
            return team_secret_context(self.pk, self.team_id)
        return f"config-section:{self.pk}:owner:{self.owner_id}:secrets"

    def seal_secrets(self, secrets: dict[str, str]) -> None:
        """Seal the secret keys; none at all is stored as an empty column."""
        # The id (part of the context) is assigned when the object is built.
        self.sealed_secrets = crypto.seal_json(secrets, self.secret_context()) if secrets else ""

    def open_secrets(self) -> dict[str, str]:
        if not self.sealed_secrets:
            return {}
        return dict(crypto.open_json(self.sealed_secrets, self.secret_context()))


class CachedSession(models.Model):
    """Temporary credentials for one (user, profile chain, region, endpoint), sealed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, help_text="sha256 of the chain, its settings and the region")
    label = models.CharField(max_length=300, help_text="The profile chain, for people (no secrets).")
    sealed_credentials = models.TextField()
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Sealed through credentials/crypto.py, each with its secret_context(column).
    sealed_columns: ClassVar[tuple[str, ...]] = ("sealed_credentials",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="cached_session_user_key")]

    def __str__(self) -> str:
        return f"{self.label} until {self.expires_at}"

    def secret_context(self, column: str = "sealed_credentials") -> str:
        return f"cached-session:user:{self.user_id}:key:{self.key}"

    def seal_credentials(self, data: dict[str, Any]) -> None:
        self.sealed_credentials = crypto.seal_json(data, self.secret_context())

    def open_credentials(self) -> dict[str, Any]:
        return dict(crypto.open_json(self.sealed_credentials, self.secret_context()))


class SsoSecretKind(models.TextChoices):
    TOKEN = "token"  # noqa: S105 (a kind of record, not a secret)
    CLIENT = "client"


class SsoSecret(models.Model):
    """One user's IAM Identity Center token, or the OIDC client registered to get it,
    for one sso-session (or, in the legacy form, one start URL). Sealed, bound to the user,
    the kind and the key: each console user has their own, even for a shared start URL."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SsoSecretKind.choices)
    key = models.CharField(max_length=64, help_text="sha256 of the session name or start URL")
    label = models.CharField(max_length=300, help_text="The sso-session or start URL, for people.")
    sealed = models.TextField()
    expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Sealed through credentials/crypto.py, each with its secret_context(column).
    sealed_columns: ClassVar[tuple[str, ...]] = ("sealed",)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="sso_secret_user_kind_key")
        ]

    def __str__(self) -> str:
        return f"sso {self.kind} for {self.label} until {self.expires_at}"

    def secret_context(self, column: str = "sealed") -> str:
        return f"sso-{self.kind}:user:{self.user_id}:key:{self.key}"

    def seal_data(self, data: dict[str, Any]) -> None:
        self.sealed = crypto.seal_json(data, self.secret_context())

    def open_data(self) -> dict[str, Any]:
        return dict(crypto.open_json(self.sealed, self.secret_context()))
