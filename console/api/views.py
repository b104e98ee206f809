"""The REST API: thin adapters over console.runs (submission, lifecycle, store) and
console.audit (who may see a run, re-runs). Each view authenticates (see auth.api_view),
loads, checks rights through the service, acts and answers JSON.

A run the caller may not see answers 404 exactly like a missing one, so ids cannot be
probed. Reading a run follows console/audit/access.py; cancelling stays its owner's.
Output is read as the caller may see it: sealed output (it holds secrets) opens only for
the run's own user, and reads as a one-line notice for anyone else."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from console.api.auth import api_view, error_response
from console.api.errors import BadRequest, Conflict, NotFound, TooManyRequests
from console.api.validation import json_body, parse_after, parse_rerun_request, parse_run_request
from console.audit import access, filters, rerun
from console.audit import log as audit_log
from console.runs import lifecycle, reaper, store
from console.runs.errors import RunInputError, RunLimitReached
from console.runs.models import CommandRun, RunSource

log = logging.getLogger(__name__)

# A cancelled run ends within a watch interval of its worker (0.2 s); waiting a little lets
# the answer show the final status, and a run whose worker is gone answers 202 instead.
CANCEL_WAIT_SECONDS = 5.0


@api_view("POST")
def runs(request: HttpRequest) -> JsonResponse:
    body = parse_run_request(json_body(request))
    try:
        run = rerun.submit_line(
            request.user,
            body.command,
            source=RunSource.API,
            cols=body.cols,
            stdin=body.stdin,
            confirm=body.confirm,
        )
    except RunInputError as exc:
        raise BadRequest(exc.message, code=exc.code) from None
    except RunLimitReached as exc:
        raise TooManyRequests(exc.message, code=exc.code) from None
    return _created(request, run, body.wait)


@api_view("POST")
def run_rerun(request: HttpRequest, run_id: uuid.UUID) -> JsonResponse:
    """Re-run a run one may see, as the caller: its line as stored, or `command`, with
    `profile`/`region` changed (docs/api.md)."""
    body = parse_rerun_request(json_body(request) if request.body else None)
    original = _visible_run(request, run_id, "rerun")
    try:
        run = rerun.submit_rerun(
            request.user,
            original,
            source=RunSource.API,
            command=body.command,
            profile=body.profile,
            region=body.region,
            cols=body.cols,
        )
    except (rerun.ChoiceRefused, RunInputError) as exc:
        raise BadRequest(exc.message, code=exc.code) from None
    except rerun.RerunRefused as exc:
        raise Conflict(exc.message, code=exc.code) from None
    except RunLimitReached as exc:
        raise TooManyRequests(exc.message, code=exc.code) from None
    return _created(request, run, body.wait)


def _created(request: HttpRequest, run: CommandRun, wait: bool) -> JsonResponse:
    status = 201
    if wait:
        if not run.is_final:
            run = reaper.wait_for_final(run.id, timeout=settings.CONSOLE_API_WAIT_SECONDS)
        status = 200 if run.is_final else 202
    response = JsonResponse(run_json(run, request.user.pk), status=status)
    response["Location"] = reverse("api:run", args=[run.id])
    return response


@api_view("GET")
def run_detail(request: HttpRequest, run_id: uuid.UUID) -> JsonResponse:
    return JsonResponse(run_json(_visible_run(request, run_id, "view"), request.user.pk))


@api_view("GET")
def run_output(request: HttpRequest, run_id: uuid.UUID) -> JsonResponse:
    after = parse_after(request.GET.get("after"))
    run = _visible_run(request, run_id, "view")
    # One read of status and chunks together: when it says final, the chunks are complete.
    snapshot = store.read_since(run.pk, after, reader=request.user.pk)
    chunks = [chunk_json(c) for c in snapshot.chunks]
    return JsonResponse({"id": run.id, "status": snapshot.status, "chunks": chunks})


@api_view("POST")
def run_cancel(request: HttpRequest, run_id: uuid.UUID) -> JsonResponse:
    """Ctrl-C for a run: a queued one ends at once, a running one when its worker sees the
    flag. Answers the run: 200 once it has ended, 202 if it had not within a few seconds."""
    run = lifecycle.request_cancel(request.user, run_id)
    if run is None:
        log.info("api: run %s not found for user %s (cancel)", run_id, request.user.pk)
        raise NotFound("no such run")
    if not run.is_final:
        run = reaper.wait_for_final(run.pk, timeout=CANCEL_WAIT_SECONDS)
    return JsonResponse(run_json(run, request.user.pk), status=200 if run.is_final else 202)


@api_view("GET")
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The audit log's export of the runs the token's user may see, filtered by the query
    string as on the log page (docs/api.md); a bad filter answers 400 naming the field."""
    errors = filters.form_errors(filters.run_filter(request.user, request.GET))
    if errors:
        raise BadRequest("; ".join(errors), code="invalid_filter")
    return audit_log.exported(request, fmt)


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown API paths answer JSON too, so clients need only one error parser."""
    return error_response(NotFound(f"no such endpoint: {request.path}"))


def _visible_run(request: HttpRequest, run_id: uuid.UUID, action: str) -> CommandRun:
    run = access.visible_run(request.user, run_id)
    if run is None:
        lifecycle.log_denied(request.user, run_id, action)
        raise NotFound("no such run")
    return run


def run_json(run: CommandRun, reader: int) -> dict[str, Any]:
    """The run as `reader` (a user id) may see it."""
    stdout, stderr = store.run_streams(run, reader)
    return {
        "id": run.id,
        "command": run.command,
        "status": run.status,
        "exit_code": run.exit_code,
        "source": run.source,
        "rerun_of": run.rerun_of_id,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "stdout": stdout,
        "stderr": stderr,
        "record": record_json(run),
    }


def record_json(run: CommandRun) -> dict[str, Any]:
    """What the run recorded for the audit (docs/audit.md); never a secret."""
    return {
        "user": run.user.get_username(),
        "service": run.service,
        "operation": run.operation,
        "profile": run.profile,
        "profile_chain": run.profile_chain,
        "principal": run.principal,
        "account": run.aws_account,
        "region": run.region,
        "endpoint": run.endpoint,
        "aws_calls": run.aws_calls,
        "aws_call_count": run.aws_call_count,
        "output_bytes": run.output_bytes,
        "output_sha256": run.output_sha256,
        "output_sealed": store.is_sealed(run.pk),
    }


def chunk_json(chunk: store.Chunk) -> dict[str, Any]:
    return {"seq": chunk.seq, "stream": chunk.stream, "data": chunk.data}
