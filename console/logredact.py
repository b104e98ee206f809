"""A logging filter that scrubs credentials from every record before any handler writes
it. botocore's debug log prints request headers (Authorization, X-Amz-Security-Token),
canonical requests, signatures, and whole request and response bodies: STS and IAM answer
in XML (`<SecretAccessKey>`, `<SessionToken>`), IAM Identity Center in JSON
(`"secretAccessKey"`, `"accessToken"`), forms and query strings carry `Password=` or a
presigned `X-Amz-Signature=`. Filtering per logger misses some, so the filter sits on the
handlers (the root handler and `--debug`'s own).

The rule is by field name, not by value: every field whose name says it carries a
credential is masked wherever it appears, in any of the syntaxes above. A name may have
a prefix (`NewPassword`, `x-amz-security-token`) but no suffix, so `PasswordLastUsed` or
`NextToken` stay readable. Access key ids are masked in bodies too: with a session's
secret they are the session, and the debug log is no place to collect either half."""

from __future__ import annotations

import logging
import re

# Field names that carry a credential; `[_-]?` lets one spelling match XML, JSON, headers
# and Python's snake_case reprs.
_SECRET_FIELDS = (
    r"secret[_-]?access[_-]?key",
    r"session[_-]?token",
    r"security[_-]?token",
    r"access[_-]?key[_-]?id",
    r"access[_-]?token",
    r"refresh[_-]?token",
    r"id[_-]?token",
    r"bearer[_-]?token",
    r"client[_-]?secret",
    r"device[_-]?code",
    r"code[_-]?verifier",
    r"password",
    r"web[_-]?identity[_-]?token",
    r"token[_-]?code",
    r"saml[_-]?assertion",
    r"secret[_-]?string",
    r"secret[_-]?binary",
)
_NAME = "(?:" + "|".join(_SECRET_FIELDS) + ")"
# A value ends at a quote, separator or markup; `\/` is JSON's optional escape of `/`.
_VALUE = r"(?:\\/|[^'\"&,\s}<>\\])+"
MASK = "****"

_PATTERNS = [
    # XML element content: <SecretAccessKey>...</SecretAccessKey>, <ns:Password>..</ns:Password>.
    (re.compile(rf"(?i)(?<=[<\w:-]){_NAME}(\s[^<>]*)?>[^<]+(?=</)"), None),
    # JSON keys, Python reprs, headers, forms and query strings:
    # "sessionToken": "..", 'SessionToken': '..', \"secretAccessKey\":\"..\", Password=..,
    # x-amz-security-token:.., 'X-Amz-Security-Token': b'..'.
    (re.compile(rf"(?i)({_NAME}\\?['\"]?\s*[:=]\s*b?\\?['\"]?){_VALUE}"), r"\1" + MASK),
    # Authorization: AWS4-HMAC-SHA256 Credential=AKIA.../..., SignedHeaders=..., Signature=...
    # and the same in a presigned URL (X-Amz-Credential=AKIA...%2F..., X-Amz-Signature=...).
    (re.compile(r"(Credential=)[^/,\s'\"&%]+"), r"\1" + MASK),
    (re.compile(r"(Signature=)[^&,\s'\"]+"), r"\1" + MASK),
    # botocore.auth's "Signature:\n<hex>" line.
    (re.compile(r"(Signature:\s*)[0-9a-f]{16,}"), r"\1" + MASK),
    # Signature version 2: Authorization: AWS AKIA...:base64signature
    (re.compile(r"\b(AWS\s+)[A-Z0-9]{16,}:[A-Za-z0-9+/=]+"), r"\1" + MASK),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + MASK),
    (re.compile(r"\b(awsc_)[A-Za-z0-9_-]{8,}"), r"\1" + MASK),
    (re.compile(r"\b((?:AKIA|ASIA)[A-Z0-9]{4})[A-Z0-9]{8,}\b"), r"\1" + MASK),
]


def _mask_xml(match: re.Match[str]) -> str:
    text = match.group(0)
    return text[: text.index(">") + 1] + MASK


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement if replacement is not None else _mask_xml, text)
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
