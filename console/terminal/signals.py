"""Signing out does not close open websockets by itself (their scope keeps the old
session), so the sign-out signal closes every terminal of that user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from console.runs import environment
from console.runs.notify import close_user_terminals
from credentials.broker import forget_user_sessions


@receiver(user_logged_out)
def close_terminals_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        close_user_terminals(user.pk)
        forget_user_sessions(user.pk)
        environment.forget_user(user.pk)  # exported keys are secrets too
