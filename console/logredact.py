"""A logging filter that scrubs credentials from every record before any handler writes
it. botocore's debug log prints request headers (Authorization, X-Amz-Security-Token) and
SSO tokens; filtering per logger misses some, so the filter sits on the handlers."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    # Authorization: AWS4-HMAC-SHA256 Credential=AKIA.../..., SignedHeaders=..., Signature=...
    (re.compile(r"(Credential=)[A-Z0-9]{4}[^/,\s'\"]*"), r"\1****"),
    (re.compile(r"(Signature=)[0-9a-f]+"), r"\1****"),
    (
        re.compile(
            r"((?:X-Amz-Security-Token|x-amz-security-token|X-Amz-Signature)['\"]?\s*[:=]\s*b?['\"]?)[^'\"&,\s}]+"
        ),
        r"\1****",
    ),
    (
        re.compile(
            r"(?i)((?:secret_?access_?key|session_?token|access_?token|refresh_?token|client_?secret|password|web_?identity_?token|token_?code|saml_?assertion)['\"]?\s*[:=]\s*b?['\"]?)[^'\"&,\s}]+"
        ),
        r"\1****",
    ),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1****"),
    (re.compile(r"\b(awsc_)[A-Za-z0-9_-]{8,}"), r"\1****"),
    (re.compile(r"\b((?:AKIA|ASIA)[A-Z0-9]{4})[A-Z0-9]{8,}\b"), r"\1****"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not break logging
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
