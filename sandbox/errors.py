"""Errors of the sandbox, worded so the person running it knows what to do next."""

from __future__ import annotations


class SandboxError(Exception):
    """The local AWS sandbox could not be started, seeded or configured."""
