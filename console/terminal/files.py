"""The workspace over HTTP, for the files panel beside the terminal (docs/workspace.md,
"In the browser"): list, download (a folder as a zip), delete, make a folder, and the
chunked uploads of console/workspace/uploads.py. A thin adapter: who is asking, which
path, one workspace call, JSON out.

Who: the session (the terminal page's own requests, CSRF-checked when they change
anything), or `Authorization: Bearer <token>` as for the API (no CSRF: a browser never
adds that header by itself). Paths are read by the same `Workspace.locate` as the
terminal's (relative to the top, `~`), so every refusal is the terminal's: absolute
paths, `..` out of the workspace, control characters, other users' files (they have no
path) and team folders one does not reach ("No such file or directory").

Downloads are always `application/octet-stream` attachments: a workspace file may come
from anyone (an S3 object, a teammate), and served inline an HTML file would run as the
console's own page. They stream through an async iterator, one chunk at a time, because
Django's ASGI handler reads a synchronous iterator whole before it sends a byte."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from functools import wraps
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt

from console.api.tokens import user_for_token
from console.workspace import uploads
from console.workspace.archive import zip_folder
from console.workspace.errors import (
    AlreadyExists,
    NotFound,
    PathRefused,
    PermissionDenied,
    QuotaExceeded,
    WorkspaceError,
    visible,
)
from console.workspace.files import Entry, chunks_of
from console.workspace.quota import human_size
from console.workspace.service import Location, Workspace

log = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
SAFE_METHODS = frozenset({"GET", "HEAD"})
CONTENT_RANGE = re.compile(r"^bytes (\d{1,19})-(\d{1,19})/(\d{1,19})$")
STATUS = {
    NotFound: 404,
    PermissionDenied: 403,
    PathRefused: 400,
    AlreadyExists: 409,
    uploads.OffsetMismatch: 409,
    uploads.UploadTooLarge: 413,
    QuotaExceeded: 413,
}


class Refused(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def files_view(*methods: str) -> Callable[[View], View]:
    """Authenticate (token or session, CSRF for a session's changes), allow `methods`,
    call the view with the caller's workspace, and answer every refusal as JSON."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                user = _caller(request, methods)
                response = view(request, Workspace(user), *args, **kwargs)
            except Refused as exc:
                response = JsonResponse({"error": exc.message, "code": exc.code}, status=exc.status)
            except WorkspaceError as exc:
                response = workspace_error(exc)
            if response.status_code in (401, 403, 404):  # every denial is logged (docs/security.md)
                log.info("files: %s %s refused with %s", request.method, request.path, response.status_code)
            response["Cache-Control"] = "no-store"
            return response

        return csrf_exempt(wrapper)

    return decorate


def _caller(request: HttpRequest, methods: tuple[str, ...]) -> Any:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise Refused(401, "invalid or revoked token", "invalid_token")
    elif request.user.is_authenticated:
        user = request.user
        if request.method not in SAFE_METHODS and _csrf_refusal(request):
            raise Refused(403, "the request's CSRF token is missing or wrong; reload the page", "csrf")
    else:
        raise Refused(401, "sign in first (your session may have ended)", "unauthenticated")
    if request.method not in methods:
        raise Refused(405, f"use {' or '.join(methods)} here", "method_not_allowed")
    return user


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    check = CsrfViewMiddleware(lambda r: HttpResponse())
    check.process_request(request)
    return check.process_view(request, lambda r: HttpResponse(), (), {})


def workspace_error(exc: WorkspaceError) -> JsonResponse:
    """A refusal a person can read in the panel: the name, and what is wrong with it."""
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    message = f"{visible(exc.path)}: {exc.strerror}" if exc.path else exc.strerror
    if isinstance(exc, QuotaExceeded):
        message = f"{message} ({exc.detail})"
    body: dict[str, Any] = {"error": message, "code": type(exc).__name__}
    if isinstance(exc, uploads.OffsetMismatch):
        body["offset"] = exc.offset
    return JsonResponse(body, status=status)


# ---- reading --------------------------------------------------------------------------------


def _path(request: HttpRequest) -> str:
    typed = request.GET.get("path", "")
    return typed if typed not in ("", "~") else "."


@files_view("GET")
def listing(request: HttpRequest, ws: Workspace) -> HttpResponse:
    where = ws.locate(_path(request))
    entries = ws.listdir(where)
    return JsonResponse(
        {
            "path": "/".join(where.parts),
            "shown": "~/" + "/".join(where.parts) if where.parts else "~",
            "writable": where.area is not None and where.access == "write",
            "entries": [_entry(entry) for entry in entries if not entry.is_link],
            "usage": _usage(ws),
            "limits": {
                "upload_max_bytes": settings.CONSOLE_UPLOAD_MAX_BYTES,
                "chunk_bytes": settings.CONSOLE_UPLOAD_CHUNK_BYTES,
            },
        }
    )


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "kind": "folder" if entry.is_dir else "file",
        "size": entry.size,
        "modified": entry.modified.isoformat() if entry.modified else None,
    }


def _usage(ws: Workspace) -> list[dict[str, Any]]:
    rows = []
    for area in ws.areas():
        use = ws.usage(area)
        rows.append(
            {
                "label": area.label,
                "place": "~" if area.kind == "user" else f"~/team/{area.key}",
                "used": use.used + use.reserved,
                "quota": use.quota,
                "free": use.free,
                "shown": f"{human_size(use.used + use.reserved)} of {human_size(use.quota)}",
            }
        )
    return rows


@files_view("GET", "HEAD")
def download(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The file at `path`, or the folder at `path` as `<name>.zip`; HEAD checks it is
    there (the panel asks first, so a missing file is a message, not a failed download)."""
    where = ws.locate(_path(request))
    entry = ws.stat(where)
    name = f"{where.basename if where.parts else 'workspace'}.zip" if entry.is_dir else where.basename
    if request.method == "HEAD":
        response: HttpResponse = HttpResponse(content_type="application/octet-stream")
    else:
        response = StreamingHttpResponse(
            _streamed(_content(ws, where, entry)), content_type="application/octet-stream"
        )
    if not entry.is_dir:
        response["Content-Length"] = str(entry.size)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


def _content(ws: Workspace, where: Location, entry: Entry) -> Iterator[bytes]:
    if entry.is_dir:
        yield from zip_folder(ws, where)
        return
    with ws.open(where) as source:
        yield from chunks_of(source)


async def _streamed(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Each chunk read on the request's worker thread (storage reads block), sent as it comes."""
    step = sync_to_async(_next)
    try:
        while (chunk := await step(chunks)) is not None:
            if chunk:
                yield chunk
    finally:
        await sync_to_async(_close)(chunks)


def _next(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


def _close(chunks: Iterator[bytes]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


# ---- changing -------------------------------------------------------------------------------


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "the request body must be a JSON object", "bad_request") from None
    if not isinstance(data, dict):
        raise Refused(400, "the request body must be a JSON object", "bad_request")
    return data


def _typed(data: dict[str, Any], name: str = "path") -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise Refused(400, f"{name} must be a non-empty string", "bad_request")
    return value


@files_view("POST")
def delete(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Remove a file, or a folder with everything in it (the panel asks first)."""
    where = ws.locate(_typed(_body(request)))
    if ws.stat(where).is_dir:
        ws.remove_tree(where)
    else:
        ws.remove_file(where)
    return JsonResponse({"removed": where.shown})


@files_view("POST")
def make_dir(request: HttpRequest, ws: Workspace) -> HttpResponse:
    where = ws.locate(_typed(_body(request)))
    ws.make_dir(where)
    return JsonResponse({"created": where.shown}, status=201)


# ---- uploads --------------------------------------------------------------------------------


@files_view("POST")
def upload_start(request: HttpRequest, ws: Workspace) -> HttpResponse:
    data = _body(request)
    size = data.get("size")
    if not isinstance(size, int) or isinstance(size, bool):
        raise Refused(400, "size must be the file's size in bytes", "bad_request")
    progress = uploads.start(ws, _typed(data), size)
    return JsonResponse(_progress(progress), status=200 if progress.done else 201)


@files_view("GET", "HEAD", "PUT", "DELETE")
def upload(request: HttpRequest, ws: Workspace, upload_id: str) -> HttpResponse:
    """GET/HEAD: where the upload stands (`offset`, also as `Upload-Offset`), to resume
    from after a dropped connection; PUT: the next chunk (`Content-Range`); DELETE: give up."""
    if request.method == "DELETE":
        uploads.cancel(ws, upload_id)
        return HttpResponse(status=204)
    if request.method == "PUT":
        progress = _put_chunk(request, ws, upload_id)
    else:
        progress = uploads.status(ws, upload_id)
    response = JsonResponse(_progress(progress))
    response["Upload-Offset"] = str(progress.offset)
    return response


def _put_chunk(request: HttpRequest, ws: Workspace, upload_id: str) -> uploads.Progress:
    match = CONTENT_RANGE.match(request.headers.get("Content-Range", ""))
    if match is None:
        raise Refused(400, "send the chunk with Content-Range: bytes <first>-<last>/<size>", "bad_range")
    first, last, total = (int(group) for group in match.groups())
    current = uploads.status(ws, upload_id)
    if total != current.size or last < first:
        raise Refused(400, f"the range does not fit this upload of {current.size} bytes", "bad_range")
    return uploads.append(ws, upload_id, first, last - first + 1, _request_chunks(request))


def _request_chunks(request: HttpRequest) -> Iterator[bytes]:
    while data := request.read(64 * 1024):
        yield data


def _progress(progress: uploads.Progress) -> dict[str, Any]:
    body: dict[str, Any] = {"id": progress.id, "size": progress.size, "offset": progress.offset}
    body["done"] = progress.done
    if progress.entry is not None:
        body["entry"] = _entry(progress.entry)
        body["shown"] = "~/" + progress.path
    return body
