"""Sign-in decisions: which step a signed-in user is at, and the second factor's life.

A user signs in with their password first (django.contrib.auth.login); the session is then
signed in, but it reaches nothing except the next step until that step is done:
- a user with an authenticator gives a code from it or a recovery code, and django-otp
  marks the session verified (`user.is_verified()`, OTPMiddleware);
- a user who must have a second factor (CONSOLE_REQUIRE_2FA) and has none enrols one.
The HTTP middleware, the terminal's websocket and the rights check of open terminals all
ask `next_step`, so the three cannot disagree. Every change is audited, without secrets."""

from __future__ import annotations

import enum
import math
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device

from console.accounts import recovery
from console.accounts.clientip import client_ip
from console.accounts.models import DIGITS, SealedTOTPDevice
from console.runs.audit import AuditAction, record
from console.teams.services import requires_second_factor


class Step(enum.StrEnum):
    DONE = "done"
    CODE = "code"
    ENROL = "enrol"


class Method(enum.StrEnum):
    PASSWORD = "password"  # noqa: S105 - the name of a sign-in method, not a password
    TOTP = "password+totp"
    RECOVERY_CODE = "password+recovery_code"
    ENROLMENT = "password+totp_enrolment"


def second_factor_required(user: Any) -> bool:
    """CONSOLE_REQUIRE_2FA, as console.teams decides it: nobody (off), console staff and
    the owners and admins of any team (admins), or everyone (all)."""
    return bool(requires_second_factor(user))


def authenticator_of(user: Any, *, confirmed: bool = True) -> SealedTOTPDevice | None:
    return SealedTOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def next_step(user: Any, *, verified: bool) -> Step:
    if verified:
        return Step.DONE
    if SealedTOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return Step.CODE
    if second_factor_required(user):
        return Step.ENROL
    return Step.DONE


def verified_in_session(user: Any, data: Any) -> bool:
    """What OTPMiddleware decides for a request, for a session read outside one (a
    websocket): the device the session was verified with still exists, is confirmed and
    is this user's."""
    persistent_id = data.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


# ---- the code step of a sign-in ----------------------------------------------------


def check_code(user: Any, code: str) -> tuple[Device | None, Method | None]:
    """The device that accepts `code`: the authenticator for six digits, else a recovery
    code (used up by this). Each miss counts towards that device's throttling."""
    code = code.strip()
    if len(code) == DIGITS and code.isdigit():
        with transaction.atomic():
            device = SealedTOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if device is not None and device.verify_token(code):
                return device, Method.TOTP
        return None, None
    if recovery.looks_like_code(code):
        static = recovery.use_code(user, code)
        if static is not None:
            return static, Method.RECOVERY_CODE
    return None, None


def throttle_wait(user: Any, code: str) -> int:
    """Seconds until the device this code is for takes another try (django-otp's
    throttling doubles the wait after each wrong code: 1, 2, 4, 8 s...). A try refused for
    that is not a guess, so it is not counted as a failed sign-in either."""
    code = code.strip()
    device: Any = (
        authenticator_of(user) if len(code) == DIGITS and code.isdigit() else recovery.device_of(user)
    )
    if device is None:
        return 0
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


def is_locked(request: HttpRequest, user: Any) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": user.get_username()}))


def complete_with_device(request: HttpRequest, device: Device, method: Method) -> None:
    """The session is verified by `device` (its key was already renewed at the password,
    so a new one would only close the user's other tabs' terminals); audit the sign-in."""
    otp_login(request, device)
    signin_succeeded(request, request.user, method)
    if method is Method.RECOVERY_CODE:
        left = recovery.remaining(request.user)
        record(
            AuditAction.RECOVERY_CODE_USED, actor=request.user, data={"remaining": left, **_where(request)}
        )


def code_failed(request: HttpRequest, user: Any) -> None:
    """A wrong code is a failed sign-in, for django-axes as for a wrong password."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "second_factor": "code"},
        request=request,
    )


def signin_succeeded(request: HttpRequest, user: Any, method: Method) -> None:
    # Failures are forgiven only now, not at the password: otherwise a correct password
    # would reset the count, and a stolen one would buy unlimited guesses at the code.
    AxesProxyHandler.reset_attempts(username=user.get_username(), ip_address=client_ip(request))
    record(AuditAction.SIGNIN_SUCCEEDED, actor=user, data={"method": method.value, **_where(request)})


def password_accepted(request: HttpRequest, user: Any, step: Step) -> None:
    record(AuditAction.SIGNIN_PASSWORD_ACCEPTED, actor=user, data={"next": step.value, **_where(request)})


def end_session(request: HttpRequest, reason: str) -> None:
    """Sign out (closes the user's terminals: console/terminal/signals.py), audited."""
    user = request.user
    if user.is_authenticated:
        action = AuditAction.SIGNOUT_SUCCEEDED if reason == "signed_out" else AuditAction.SIGNIN_ENDED
        record(action, actor=user, data={"reason": reason, **_where(request)})
    logout(request)


def _where(request: HttpRequest) -> dict[str, Any]:
    return {"ip": client_ip(request)}


# ---- enrolment and management -------------------------------------------------------


def pending_enrolment(user: Any) -> SealedTOTPDevice:
    """The unconfirmed authenticator being set up, made on first call and kept, so the QR
    code stays the same while the user scans it (and across a reload)."""
    return authenticator_of(user, confirmed=False) or SealedTOTPDevice.create_unconfirmed(user)


def confirm_enrolment(request: HttpRequest, code: str) -> list[str] | None:
    """Confirm the pending authenticator with its first code: the session counts as
    verified by it, and ten new recovery codes are returned (to be shown once). None when
    the code is wrong. (A user who has an authenticator removes it first, with a code.)"""
    user = request.user
    with transaction.atomic():
        device = SealedTOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(code):
            return None
        SealedTOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        codes = recovery.replace_codes(user)
        record(AuditAction.TOTP_ENROLLED, actor=user, data={"recovery_codes": len(codes), **_where(request)})
    was_verified = request.user.is_verified()
    otp_login(request, device)
    if not was_verified:  # an enrolment that was the second step of this sign-in
        signin_succeeded(request, user, Method.ENROLMENT)
    return codes


def confirm_current(user: Any, code: str) -> bool:
    """A change to the second factor asks for a current code (or a recovery code), so a
    session left open cannot be used to take it over."""
    device, _ = check_code(user, code)
    return device is not None


def replace_recovery_codes(request: HttpRequest) -> list[str]:
    codes = recovery.replace_codes(request.user)
    record(
        AuditAction.RECOVERY_CODES_REPLACED, actor=request.user, data={"count": len(codes), **_where(request)}
    )
    return codes


def remove_second_factor(actor: Any, user: Any, request: HttpRequest | None = None) -> None:
    """Remove the user's authenticator and recovery codes (by themselves, or by an
    administrator for a user who lost both)."""
    with transaction.atomic():
        SealedTOTPDevice.objects.filter(user=user).delete()
        recovery.remove_codes(user)
        data = {"user": user.get_username(), **(_where(request) if request else {})}
        record(AuditAction.TOTP_REMOVED, actor=actor, data=data)
