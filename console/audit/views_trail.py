"""`/audit/trail.jsonl`: the audit trail export for superusers (the console's operators;
the trail holds every user's events). Anyone else signed in gets 404, audited like every
refused look. The lines are produced on the server's sync thread in batches and streamed
from an async iterator, so under ASGI a trail of millions of events is never held in
memory whole (Django would collect a sync iterator into a list first)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from console.audit.trail import export_trail
from console.audit.verification import log_trail_denied

BATCH = 500


@require_GET
@login_required
def trail_export(request: HttpRequest) -> StreamingHttpResponse:
    if not request.user.is_superuser:
        log_trail_denied(request.user)
        raise Http404("not found")
    response = StreamingHttpResponse(_batches(export_trail()), content_type="application/x-ndjson")
    name = f"audit-trail-{timezone.now():%Y%m%dT%H%M%SZ}.jsonl"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _take(lines: Iterator[str]) -> str:
    return "".join(line for _, line in zip(range(BATCH), lines, strict=False))


async def _batches(lines: Iterator[str]) -> AsyncIterator[str]:
    while chunk := await sync_to_async(_take, thread_sensitive=True)(lines):
        yield chunk
