"""The audit log page (`/audit/`), its Events tab and its exports: thin adapters over
console/audit/filters.py (what a filter selects, within what the viewer may see) and
console/audit/export.py (the records). Each row leads to the run's page, where
everything it recorded is; "re-run" posts to the run page's own re-run (as the person
pressing), and "diff with original" opens the run page's diff.

A filter that does not validate answers 400 with its errors, and no rows: never a
traceback, and never more than was asked for. Server-rendered, no script (the CSP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from console.audit import export
from console.audit.access import sees_events, visible_events, visible_runs
from console.audit.filters import PAGE_SIZE, EventFilter, filtered_runs, form_errors, run_filter, suggestions
from console.interpreter import holds_redacted_value
from console.runs.models import CommandRun
from console.teams import rules


@dataclass(frozen=True)
class LogRow:
    run: CommandRun
    rerunnable: bool  # its stored line can run as is (no secret was masked out of it)
    original_visible: bool  # it re-runs a run the viewer may see: "diff with original"


@require_GET
@login_required
def log_page(request: HttpRequest) -> HttpResponse:
    found = run_filter(request.user, request.GET)
    runs = filtered_runs(found).select_related("user", "team")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    errors = form_errors(found)
    context = {
        "filter": found,
        "errors": errors,
        "page": page,
        "rows": _rows(request.user, page),
        "suggestions": suggestions(request.user),
        "sees_events": sees_events(request.user),
        "tab": "runs",
    }
    return render(request, "audit/log.html", context, status=400 if errors else 200)


def _rows(user: Any, page: Page[CommandRun]) -> list[LogRow]:
    runs = list(page.object_list)
    originals = {r.rerun_of_id for r in runs if r.rerun_of_id}
    seen = (
        set(visible_runs(user).filter(pk__in=originals).values_list("pk", flat=True)) if originals else set()
    )
    return [LogRow(r, not holds_redacted_value(r.command), r.rerun_of_id in seen) for r in runs]


@require_GET
@login_required
def events_page(request: HttpRequest) -> HttpResponse:
    """Events other than runs': staff's, and a team's for its run viewers (access.py)."""
    if not sees_events(request.user):
        rules.deny(request.user, "audit.view_events", None, request)
        raise PermissionDenied("audit.view_events")
    found = EventFilter(request.GET, queryset=visible_events(request.user).order_by("-id"))
    events = found.qs if found.is_valid() else found.queryset.none()
    context = {
        "filter": found,
        "errors": form_errors(found),
        "page": Paginator(events, PAGE_SIZE).get_page(request.GET.get("page")),
        "sees_events": True,
        "tab": "events",
    }
    return render(request, "audit/events.html", context, status=400 if context["errors"] else 200)


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    return exported(request, "csv")


@require_GET
@login_required
def export_jsonl(request: HttpRequest) -> HttpResponse:
    return exported(request, "jsonl")


FORMATS = {
    "csv": ("text/csv; charset=utf-8", export.stream_csv),
    "jsonl": ("application/x-ndjson; charset=utf-8", export.stream_jsonl),
}


def exported(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered runs as a download (also the API's, console/api/views.py, which
    answers a bad filter in JSON before it gets here)."""
    found = run_filter(request.user, request.GET)
    errors = form_errors(found)
    if errors:
        return HttpResponse("\n".join(errors) + "\n", status=400, content_type="text/plain; charset=utf-8")
    content_type, stream = FORMATS[fmt]
    response = StreamingHttpResponse(stream(filtered_runs(found)), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
