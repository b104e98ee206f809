"""Sign-in pages: thin adapters over console/accounts/services.py.

Pages that show a secret (the new authenticator's key and QR code, new recovery codes)
are never cached, and recovery codes are shown only in the response that made them:
nothing keeps them in plain text to show again."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from console.accounts import recovery, services
from console.accounts.forms import CodeForm, FirstCodeForm, SignInCodeForm
from console.accounts.lockout import lockout_response
from console.accounts.services import Method, Step


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else ""


def _onward(request: HttpRequest, step: Step | None = None) -> HttpResponse:
    """To the step the sign-in owes, or where the user was going once it owes none."""
    if step is None:
        step = services.next_step(request.user, verified=request.user.is_verified())
    target = _next(request)
    if step is Step.DONE:
        return redirect(target or settings.LOGIN_REDIRECT_URL)
    view = reverse("accounts:code" if step is Step.CODE else "accounts:enrol")
    return redirect(f"{view}?{urlencode({'next': target})}" if target else view)


def _notice(request: HttpRequest) -> str:
    reason = request.GET.get("reason")
    if reason == "idle":
        minutes = settings.CONSOLE_SESSION_IDLE_SECONDS // 60
        return f"You were signed out after {minutes} minutes without activity. Sign in again to go on."
    if reason == "lifetime":
        hours = settings.CONSOLE_SESSION_MAX_SECONDS / 3600
        return f"Your sign-in reached its limit of {hours:g} hours. Sign in again to go on."
    return ""


@sensitive_post_parameters("password")
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _onward(request)
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)
        step = services.next_step(user, verified=False)
        if step is Step.DONE:
            services.signin_succeeded(request, user, Method.PASSWORD)
        else:
            services.password_accepted(request, user, step)
        return _onward(request, step)
    context = {"form": form, "next": _next(request), "notice": _notice(request)}
    return render(request, "registration/login.html", context)


@sensitive_post_parameters("code")
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if (step := services.next_step(request.user, verified=request.user.is_verified())) is not Step.CODE:
        return _onward(request, step)
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _check_code(request, form)
    return render(request, "registration/login_code.html", {"form": form, "next": _next(request)})


def _check_code(request: HttpRequest, form: CodeForm) -> HttpResponse:
    user, code = request.user, form.cleaned_data["code"]
    if services.is_locked(request, user):
        services.end_session(request, "locked_out")
        return lockout_response(request, credentials={"username": user.get_username()})
    if wait := services.throttle_wait(user, code):
        unit = "second" if wait == 1 else "seconds"
        form.add_error("code", f"Too many wrong codes in a row: wait {wait} {unit}, then try again.")
    else:
        device, method = services.check_code(user, code)
        if device is not None and method is not None:
            services.complete_with_device(request, device, method)
            return _onward(request, Step.DONE)
        services.code_failed(request, user)
        if getattr(request, "axes_locked_out", False):
            services.end_session(request, "locked_out")
            return lockout_response(request, credentials={"username": user.get_username()})
        form.add_error("code", "That code is not valid. Use the code the app shows now, or a recovery code.")
    return render(request, "registration/login_code.html", {"form": form, "next": _next(request)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.end_session(request, "signed_out")
    return redirect(settings.LOGOUT_REDIRECT_URL)


# ---- the user's own second factor ---------------------------------------------------


def _security_page(request: HttpRequest, **forms: Any) -> HttpResponse:
    user = request.user
    context = {
        "authenticator": services.authenticator_of(user),
        "recovery_left": recovery.remaining(user),
        "required": services.second_factor_required(user),
        "codes_form": forms.get("codes_form") or CodeForm(auto_id="codes_%s"),
        "remove_form": forms.get("remove_form") or CodeForm(auto_id="remove_%s"),
    }
    return render(request, "accounts/security.html", context)


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


@login_required
@sensitive_post_parameters("code")
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    if services.authenticator_of(request.user) is not None:
        messages.info(request, "You already have an authenticator app. Remove it first to set up another.")
        return redirect("accounts:security")
    device = services.pending_enrolment(request.user)
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_enrolment(request, form.cleaned_data["code"].strip())
        if codes is not None:
            return _show_codes(request, codes, enrolled=True)
        form.add_error(
            "code", "That code is not valid. Check that the phone's clock is right and try the new code."
        )
    # segno draws the SVG itself (paths only, no text from the URI it encodes), so it is safe markup.
    svg = segno.make(device.config_url(), error="m").svg_inline(scale=5, svgclass="qr-code", omitsize=True)
    qr = mark_safe(svg)  # noqa: S308
    required = services.second_factor_required(request.user)
    context = {
        "form": form,
        "qr_svg": qr,
        "secret": _grouped(device.secret_base32()),
        "next": _next(request),
        "required": required,
        "not_required": not required,
    }
    return render(request, "accounts/enrol.html", context)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _show_codes(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    context = {
        "codes": codes,
        "enrolled": enrolled,
        "next": _next(request) or resolve_url(settings.LOGIN_REDIRECT_URL),
    }
    response = render(request, "accounts/recovery_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@sensitive_post_parameters("code")
@never_cache
def replace_recovery_codes(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST, auto_id="codes_%s")
    if form.is_valid() and services.confirm_current(request.user, form.cleaned_data["code"]):
        return _show_codes(request, services.replace_recovery_codes(request), enrolled=False)
    if form.is_valid():
        form.add_error("code", "That code is not valid; new recovery codes need a current code.")
    return _security_page(request, codes_form=form)


@login_required
@require_POST
@sensitive_post_parameters("code")
def remove(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST, auto_id="remove_%s")
    if form.is_valid() and services.confirm_current(request.user, form.cleaned_data["code"]):
        services.remove_second_factor(request.user, request.user, request)
        messages.success(request, "The authenticator app and its recovery codes are removed.")
        return redirect("accounts:security")
    if form.is_valid():
        form.add_error("code", "That code is not valid; removing the authenticator needs a current code.")
    return _security_page(request, remove_form=form)
