from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "console.accounts"
    label = "accounts"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from console.accounts import signals  # noqa: F401 - connects the receivers
