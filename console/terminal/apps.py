from __future__ import annotations

from django.apps import AppConfig


class TerminalConfig(AppConfig):
    name = "console.terminal"
    label = "terminal"

    def ready(self) -> None:
        from console.terminal import signals  # noqa: F401  (connects the sign-out handler)
