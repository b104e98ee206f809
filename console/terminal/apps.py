from __future__ import annotations

from django.apps import AppConfig


class TerminalConfig(AppConfig):
    name = "console.terminal"
    label = "terminal"

    def ready(self) -> None:
        from console.terminal import signals  # connects the sign-out and rights handlers

        # The interpreter is Django-free, so its limits are handed to it here, in every
        # process that parses (web and worker both load this app).
        signals.apply_interpreter_limits()
