"""Receivers: every sign-in starts the session clocks; failed sign-ins and lockouts are
audited wherever they happen (the sign-in page, the code step, any other authenticate());
a change to a user's second factor, or to their team roles (which decide whether they
must have one), makes their open terminals check their rights again."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice

from console.accounts import sessionclock
from console.accounts.clientip import client_ip
from console.accounts.models import SealedTOTPDevice
from console.runs.audit import AuditAction, record
from console.runs.notify import recheck_user_terminals


@receiver(user_logged_in)
def start_session_clocks(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None:
        sessionclock.start(request.session)


def _known_user(username: Any) -> Any:
    if not isinstance(username, str) or not username:
        return None
    return get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()


@receiver(user_login_failed)
def audit_failed_signin(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # What was typed as a username is kept only when it names a user: people type
    # passwords into the wrong box.
    user = _known_user(credentials.get("username"))
    data = {
        "username": user.get_username() if user else "",
        "step": "code" if credentials.get("second_factor") else "password",
        "ip": client_ip(request) if request is not None else None,
    }
    record(AuditAction.SIGNIN_FAILED, actor=user, data=data)


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: Any, username: Any, ip_address: Any, **kwargs: Any) -> None:
    # django-axes also sends this for each attempt refused while locked; those are
    # already audited as failures, and only the lock's beginning carries a count.
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    user = _known_user(username)
    data = {
        "username": user.get_username() if user else "",
        "ip": ip_address,
        "failures": request.axes_failures_since_start,
    }
    record(AuditAction.SIGNIN_LOCKED_OUT, actor=user, data=data)


def _recheck_after_commit(user_id: Any) -> None:
    transaction.on_commit(lambda: recheck_user_terminals(user_id))


@receiver(post_save, sender=SealedTOTPDevice)
@receiver(post_delete, sender=SealedTOTPDevice)
@receiver(post_delete, sender=StaticDevice)
def recheck_terminals_on_device_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    _recheck_after_commit(instance.user_id)


# A lazy reference: the teams app decides who must have a second factor (owners and
# admins); a role given or taken changes that for the user's open terminals at once.
@receiver(post_save, sender="teams.Membership")
@receiver(post_delete, sender="teams.Membership")
def recheck_terminals_on_role_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    _recheck_after_commit(instance.user_id)
