"""Profiles follow the ~/.aws/config model: named sections of kind `profile`,
`sso-session` or `services`, each a flat dict of the file's keys. Non-secret keys live in
`settings` as plain JSON; secret keys (access keys, session tokens) are sealed together in
`sealed_secrets`, bound to the section's id and owner."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SectionKind(models.TextChoices):
    PROFILE = "profile"
    SSO_SESSION = "sso-session"
    SERVICES = "services"


SECRET_KEYS = frozenset({"aws_access_key_id", "aws_secret_access_key", "aws_session_token"})


class ConfigSection(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A section belongs to one user; team-owned sections arrive with the admin portal.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="config_sections"
    )
    kind = models.CharField(max_length=16, choices=SectionKind.choices, default=SectionKind.PROFILE)
    name = models.CharField(max_length=128)
    settings = models.JSONField(default=dict, blank=True)
    sealed_secrets = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "name"], name="section_owner_kind_name")
        ]

    def __str__(self) -> str:
        return f"[{self.kind} {self.name}]"

    def secret_context(self) -> str:
        return f"config-section:{self.pk}:owner:{self.owner_id}:secrets"
