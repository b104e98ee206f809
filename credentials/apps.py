from __future__ import annotations

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from credentials import crypto

        # Refuse to start without a usable sealing key rather than fail on first use.
        crypto.check_keys()
