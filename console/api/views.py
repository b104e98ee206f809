"""The REST API: thin adapters over console.runs (submission, lifecycle, store). Each view authenticates (see
auth.api_view), loads, checks ownership through the service, acts and answers JSON.

Another user's run answers 404 exactly like a missing one, so ids cannot be probed."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from console.api.auth import api_view, error_response
from console.api.errors import BadRequest, NotFound, TooManyRequests
from console.api.validation import json_body, parse_after, parse_run_request
from console.runs import lifecycle, reaper, store, submission
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
        run = submission.submit_run(
            request.user, body.command, source=RunSource.API, cols=body.cols, stdin=body.stdin
        )
    except RunInputError as exc:
        raise BadRequest(exc.message, code=exc.code) from None
    except RunLimitReached as exc:
        raise TooManyRequests(exc.message, code=exc.code) from None
    status = 201
    if body.wait:
        if not run.is_final:
            run = reaper.wait_for_final(run.id, timeout=settings.CONSOLE_API_WAIT_SECONDS)
        status = 200 if run.is_final else 202
    response = JsonResponse(run_json(run), status=status)
    response["Location"] = reverse("api:run", args=[run.id])
    return response


@api_view("GET")
def run_detail(request: HttpRequest, run_id: uuid.UUID) -> JsonResponse:
    return JsonResponse(run_json(_user_run(request, run_id)))


@api_view("GET")
def run_output(request: HttpRequest, run_id: uuid.UUID) -> JsonResponse:
    after = parse_after(request.GET.get("after"))
    run = _user_run(request, run_id)
    # One read of status and chunks together: when it says final, the chunks are complete.
    snapshot = store.read_since(run.pk, after)
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
    return JsonResponse(run_json(run), status=200 if run.is_final else 202)


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown API paths answer JSON too, so clients need only one error parser."""
    return error_response(NotFound(f"no such endpoint: {request.path}"))


def _user_run(request: HttpRequest, run_id: uuid.UUID) -> CommandRun:
    run = lifecycle.get_user_run(request.user, run_id)
    if run is None:
        log.info("api: run %s not found for user %s", run_id, request.user.pk)
        raise NotFound("no such run")
    return run


def run_json(run: CommandRun) -> dict[str, Any]:
    stdout, stderr = store.run_streams(run)
    return {
        "id": run.id,
        "command": run.command,
        "status": run.status,
        "exit_code": run.exit_code,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "stdout": stdout,
        "stderr": stderr,
    }


def chunk_json(chunk: store.Chunk) -> dict[str, Any]:
    return {"seq": chunk.seq, "stream": chunk.stream, "data": chunk.data}
