"""Make moto check a SigV4 signature over the payload the client actually sent.

Design decision: moto 5.2.5 rebuilds each request to verify its signature
(``moto.iam.access_control.IAMRequestBase._create_aws_request``) with
``data=raw_body or data``. ``data`` is moto's parsed "querystring": the form of a
form-encoded POST (werkzeug consumes such a body, so the re-encoded form is the
only copy left, and the fallback is right for it), else the URL query, else, when
there is neither, the request's *headers* (``BaseResponse.setup_class``). So
every request without a body and without a form (a rest-json or rest-xml GET or
DELETE: ``lambda list-functions``, ``eks list-clusters``, ``efs
describe-file-systems``, ...) is checked as if its body were its query or its
headers, form-encoded, while botocore signed an empty payload: moto answers
SignatureDoesNotMatch for a correct key, behind our wrapper or not. S3 escapes it
because S3 requests carry ``X-Amz-Content-SHA256``, which SigV4 uses in place
of hashing the body, and JSON and query services because they always send one.

The fix keeps the check (a wrong key or a forged signature is still refused)
and changes only which payload it hashes: the raw body if there is one, the form
if the request was form-encoded, else nothing. It is installed in the sandbox
server process only (``sandbox.server.serve``), never in the console's.
"""

from __future__ import annotations

from typing import Any

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_MARK = "_sandbox_signs_the_sent_payload"


def signed_payload(body: bytes, form: Any, content_type: str) -> Any:
    """What the client hashed into its signature: the body, else the form, else nothing."""
    if body:
        return body
    if content_type.split(";", 1)[0].strip().lower() == FORM_CONTENT_TYPE:
        return form
    return b""


def install() -> None:
    """Patch moto's signature check in this process; idempotent.

    Wraps rather than replaces moto's method, so the rebuilt request keeps its
    method, path and signed headers exactly as moto chooses them.
    """
    from moto.iam.access_control import IAMRequestBase

    original = IAMRequestBase._create_aws_request
    if getattr(original, _MARK, False):
        return

    def create_aws_request(self: Any) -> Any:
        request = original(self)
        request.data = signed_payload(self._body, self._data, self._headers.get("Content-Type") or "")
        return request

    setattr(create_aws_request, _MARK, True)
    IAMRequestBase._create_aws_request = create_aws_request  # type: ignore[method-assign]
