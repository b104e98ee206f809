"""Refusals of a team change that are not permission denials, each with a message the
person can act on (last owner, duplicate member, bad key, bad slug, ...)."""

from __future__ import annotations


class TeamError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
