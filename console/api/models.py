"""API tokens. Only a SHA-256 of each token is stored: a token is 240 random bits, so a
fast unsalted hash is as strong as a slow one here, and it lets a request find its token
with one indexed lookup. The raw token is shown once, when it is made."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="A label to tell tokens apart.")
    prefix = models.CharField(max_length=8, help_text="The token's first characters, for display.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'}) for {self.user}"

    def __repr__(self) -> str:
        return f"<ApiToken {self.pk} {self.prefix}… user={self.user_id}>"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
