"""The run page, its re-run buttons and the diff page: thin adapters (load, authorize
through console/audit/access.py, call a service, render). A run the viewer may not see
answers 404 exactly like a missing one, and the refusal is logged and audited; the
page's URL is the run's shareable link, since opening it checks the viewer's rights.

The page is server-rendered; its output view (static/audit/run.js) replays the run from
the database over the terminal websocket in watch mode, which never takes input."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from console.audit import diff
from console.audit.access import runs_named, visible_run, visible_runs
from console.audit.forms import RerunForm
from console.audit.rerun import RUN_REF, ChoiceRefused, RerunRefused, submit_rerun
from console.runs import lifecycle, store
from console.runs.errors import RunError, RunLimitReached
from console.runs.models import AuditEvent, CommandRun, RunSource


def _visible_or_404(request: HttpRequest, run_id: uuid.UUID, action: str) -> CommandRun:
    run = visible_run(request.user, run_id)
    if run is None:
        lifecycle.log_denied(request.user, run_id, action)
        raise Http404("no such run")
    return run


@require_GET
@login_required
def run_page(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    run = _visible_or_404(request, run_id, "view")
    return _render_run(request, run, RerunForm(request.user))


@require_GET
@login_required
def short_link(request: HttpRequest, ref: str) -> HttpResponse:
    """`/runs/<short id>`: the page of the one run one may see whose id starts so."""
    matches = runs_named(request.user, ref.lower()) if RUN_REF.match(ref.lower()) else []
    if len(matches) != 1:
        lifecycle.log_denied(request.user, ref, "view")
        raise Http404("no such run")
    return HttpResponseRedirect(reverse("audit:run", args=[matches[0].pk]))


def _render_run(
    request: HttpRequest, run: CommandRun, form: RerunForm, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "run": run,
        "form": form,
        "error": error,
        "reruns": visible_runs(request.user)
        .filter(rerun_of=run)
        .select_related("user")
        .order_by("-created_at")[:20],
        "events": AuditEvent.objects.filter(run=run).order_by("id"),
        "output_sealed": store.is_sealed(run.pk),
        "original": run.rerun_of if run.rerun_of and visible_run(request.user, run.rerun_of_id) else None,
        "ws_path": "/ws/terminal/",
    }
    return render(request, "audit/run.html", context, status=status)


@require_POST
@login_required
def run_rerun(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """ "Re-run as is" and "re-run with" (another profile or region): a new run as the
    person pressing, then its page, which follows it live."""
    original = _visible_or_404(request, run_id, "rerun")
    form = RerunForm(request.user, request.POST)
    if not form.is_valid():
        return _render_run(request, original, form, "choose a profile and a region from the lists", 400)
    try:
        run = submit_rerun(
            request.user,
            original,
            source=RunSource.RUN_PAGE,
            profile=form.cleaned_data["profile"],
            region=form.cleaned_data["region"],
        )
    except RunError as exc:
        return _render_run(request, original, form, exc.message, _status_of(exc))
    return HttpResponseRedirect(reverse("audit:run", args=[run.pk]), status=303)


def _status_of(exc: RunError) -> int:
    if isinstance(exc, RunLimitReached):
        return 429
    if isinstance(exc, ChoiceRefused):
        return 400
    return 409 if isinstance(exc, RerunRefused) else 400


@require_GET
@login_required
def run_diff(request: HttpRequest, run_id: uuid.UUID, other_id: uuid.UUID) -> HttpResponse:
    """The output of `run_id` (old, left) against `other_id` (new, right)."""
    old = _visible_or_404(request, run_id, "diff")
    new = _visible_or_404(request, other_id, "diff")
    view = "split" if request.GET.get("view") == "split" else "unified"
    show_volatile = request.GET.get("volatile") == "1"
    context: dict[str, Any] = {
        "old": old,
        "new": new,
        "view": view,
        "diff": diff.compare_runs(old, new, show_volatile=show_volatile),
        "base": reverse("audit:diff", args=[old.pk, new.pk]),
        "swapped": reverse("audit:diff", args=[new.pk, old.pk]),
    }
    return render(request, "audit/diff.html", context)
