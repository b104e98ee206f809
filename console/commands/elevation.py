"""`guard elevate <profile> <duration> <reason>` and `guard elevations`: just-in-time
elevation from the terminal. Who may ask, decide and see is console/teams/elevations.py's;
this layer may not import it (the command path is layered downwards), so the teams app
registers its provider here at start-up (console/teams/apps.py), as it registers the
approvers of runs and the broker's access. Without one, the builtins say elevation is not
available."""

from __future__ import annotations

from typing import Any, Protocol


class ElevationRefused(Exception):
    """The request was refused; the message says why, in the person's words."""

    @property
    def message(self) -> str:
        return str(self.args[0])


class Elevations(Protocol):
    def request(self, user: Any, profile: str, duration: str, reason: str) -> str:
        """Ask for Write on team profile `profile`; the line to show, or ElevationRefused."""

    def listing(self, user: Any) -> str:
        """The user's pending and active elevations and those waiting for their decision."""


_provider: Elevations | None = None


def register(provider: Elevations) -> None:
    global _provider
    _provider = provider


def provider() -> Elevations | None:
    return _provider
