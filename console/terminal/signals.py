"""Open terminals must not outlive the rights they were opened with. Signing out does not
close open websockets by itself (their scope keeps the old session), so the sign-out
signal closes every terminal of that user. A change to a user (deactivated, a new
password) or to one of their API tokens asks the user's terminals to check their rights
again (console/terminal/rights.py): each closes only if its own session or token no
longer holds, so revoking a script's token leaves the browser's terminal open. The
consumer checks again on every command, which covers what no signal announces (a
session that expires, a change made with a bulk update)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from console.api.models import ApiToken
from console.interpreter import tokenizer
from console.runs import environment
from console.runs.notify import close_user_terminals, recheck_user_terminals
from credentials.broker import forget_user_sessions

# Saves that cannot take a right away: Django writes last_login on every sign-in.
HARMLESS_FIELDS = frozenset({"last_login"})


@receiver(user_logged_out)
def close_terminals_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        close_user_terminals(user.pk)
        forget_user_sessions(user.pk)
        environment.forget_user(user.pk)  # exported keys are secrets too


@receiver(post_save, sender=get_user_model())
def recheck_terminals_on_user_change(
    sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is not None and set(update_fields) <= HARMLESS_FIELDS:
        return
    # After the commit, or the terminals would read the user as it was.
    transaction.on_commit(lambda: recheck_user_terminals(instance.pk))


@receiver(post_delete, sender=get_user_model())
def close_terminals_on_user_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    user_id = instance.pk
    transaction.on_commit(lambda: close_user_terminals(user_id))


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
def recheck_terminals_on_token_change(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    user_id = instance.user_id
    transaction.on_commit(lambda: recheck_user_terminals(user_id))


def apply_interpreter_limits() -> None:
    tokenizer.set_max_tokens(settings.CONSOLE_MAX_COMMAND_TOKENS)


@receiver(setting_changed)
def reapply_interpreter_limits(setting: str, **kwargs: Any) -> None:
    """Tests (and `override_settings`) change settings after start-up."""
    if setting == "CONSOLE_MAX_COMMAND_TOKENS":
        apply_interpreter_limits()
