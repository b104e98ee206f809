"""Remove secrets from a command line before it is stored, shown to others or logged.

Model-driven first: when the line names a real operation, the values of the parameters
whose shapes botocore marks `sensitive` (or that contain such a member anywhere inside)
are replaced by `****`, whole word by whole word. When the line cannot be resolved that
far, or for an option the model does not know (a typo of `--password`, say), a
conservative heuristic masks the values of options whose names look secret, and
`NAME=value` words whose names do. A sensitive option's mask runs to the next option, so
a secret with an unquoted space is still hidden. Redaction never raises.

The parser redacts from the tokens it has already made (`redact_tokens`), so a line is
tokenized once per parse; `redact_line` tokenizes by itself, for lines that did not parse.
Both give the same text for a line that tokenizes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence

from . import catalog
from .arguments import LIST, OperationSpec, operation_spec
from .errors import CommandError
from .scanning import is_option, positionals, scan_globals, split_option, take_values
from .tokenizer import Token, tokenize

MASK = "****"
_SECRET_WORDS = re.compile(
    r"secret|password|passwd|passphrase|token|key-material|private-key|credential|sse-c(-copy-source)?-key",
    re.IGNORECASE,
)
_INPUT_DOCUMENT_OPTIONS = ("--cli-input-json", "--cli-input-yaml")

Span = tuple[int, int]


def redact_line(line: str) -> str:
    return _redact(line, lambda: sensitive_spans(line))


def redact_tokens(line: str, tokens: Sequence[Token]) -> str:
    """`redact_line` for a line whose `tokenize(line)` the caller already holds."""
    return _redact(line, lambda: token_spans(tokens))


def _redact(line: str, spans: Callable[[], Sequence[Span]]) -> str:
    try:
        return _apply(line, spans())
    except Exception:  # redaction must never be the reason a command is lost or logged raw
        return _mask_all_but_first_word(line)


def sensitive_spans(line: str) -> list[Span]:
    """The (start, end) ranges of `line` that hold secrets."""
    try:
        tokens, tail = tokenize(line), None
    except CommandError:
        tokens = tokenize(line, lenient=True)
        tail = tokens[-1] if tokens else None
    spans = token_spans(tokens)
    if tail is not None and _SECRET_WORDS.search(tail.text.replace("_", "-")):
        spans.append((tail.start, tail.end))
    return spans


def holds_redacted_value(line: str) -> bool:
    """Whether a stored (redacted) line still has a placeholder where a secret was: a
    sensitive value that is exactly the mask, or a line the redaction could only mask
    whole. Run as it is, it would send the placeholder to AWS as the secret."""
    try:
        spans = sensitive_spans(line)
    except Exception:  # never raises in practice; a line that cannot be read is not re-run
        return True
    if any(line[start:end].strip("'\"") == MASK for start, end in spans):
        return True
    return line == _mask_all_but_first_word(line) and line.endswith(f" {MASK}")


def mask_word(token: Token, spans: Sequence[Span]) -> str:
    """How `token` may be shown in an error message."""
    for start, end in spans:
        if start < token.end and end > token.start:
            if start > token.start and "=" in token.text:
                return token.text.partition("=")[0] + "=" + MASK
            return MASK
    return token.text


def token_spans(tokens: Sequence[Token]) -> list[Span]:
    """The ranges that hold secrets, from a line's tokens (strictly tokenized)."""
    if not tokens:
        return []
    if [token.text for token in tokens[:2]] == ["guard", "explain"]:  # the line it explains
        return token_spans(tokens[2:])
    if tokens[0].text != "aws":
        return _option_spans(tokens[1:], None)
    words = scan_globals(tokens[1:]).rest
    slots = positionals(words)
    if slots and words[slots[0]].text == "configure":
        return _configure_spans(words, slots) + _option_spans(words, None)
    spec = _resolve(words, slots)
    if spec is not None:
        words = [token for k, token in enumerate(words) if k not in slots[:2]]
    return _option_spans(words, spec)


def _configure_spans(words: Sequence[Token], slots: Sequence[int]) -> list[Span]:
    """`aws configure set aws_secret_access_key VALUE` (or `profile.x.aws_session_token`)."""
    texts = [words[k].text for k in slots]
    spans: list[Span] = []
    if len(texts) >= 4 and texts[1] == "set" and _SECRET_WORDS.search(texts[2].replace("_", "-")):
        spans.extend((words[k].start, words[k].end) for k in slots[3:])
    for i, token in enumerate(words[:-1]):
        if token.text == "--csv":  # `configure import --csv` carries access keys
            spans.append((words[i + 1].start, words[i + 1].end))
    return spans


def _resolve(words: Sequence[Token], slots: Sequence[int]) -> OperationSpec | None:
    if len(slots) < 2:
        return None
    service, command = words[slots[0]].text, words[slots[1]].text
    if catalog.service_table().get(service) is None:
        return None
    entry = catalog.command_table(service).get(command)
    if entry is None or entry.operation is None:
        return None
    return operation_spec(service, command)


def _option_spans(words: Sequence[Token], spec: OperationSpec | None) -> list[Span]:
    spans: list[Span] = []
    i = 0
    while i < len(words):
        token = words[i]
        if not is_option(token.text):
            spans.extend(_assignment_span(token))
            i += 1
            continue
        name, explicit = split_option(token)
        argument = spec.arguments.get(name[2:]) if spec is not None and name.startswith("--") else None
        sensitive = _is_sensitive(name, spec)
        arity = argument.arity if argument is not None and not sensitive else LIST
        values = take_values(words, i + 1, arity) if explicit is None else []
        if sensitive:
            spans.extend(_value_spans(token, name, explicit, values))
        i += 1 + len(values)
    return spans


def _is_sensitive(name: str, spec: OperationSpec | None) -> bool:
    if spec is None:
        return bool(_SECRET_WORDS.search(name))
    argument = spec.arguments.get(name[2:]) if name.startswith("--") else None
    if argument is not None:
        return argument.sensitive
    if name in _INPUT_DOCUMENT_OPTIONS:
        return spec.sensitive
    secret_names = ["--" + a.name for a in spec.arguments.values() if a.sensitive]
    if difflib.get_close_matches(name, secret_names, n=1, cutoff=0.6):
        return True
    return bool(_SECRET_WORDS.search(name))


def _value_spans(token: Token, name: str, explicit: Token | None, values: Sequence[Token]) -> list[Span]:
    if explicit is not None:
        after_equals = token.source_index(len(name)) + 1
        return [(after_equals, token.end)] if explicit.text or after_equals < token.end else []
    return [(value.start, value.end) for value in values]


def _assignment_span(token: Token) -> list[Span]:
    name, sep, value = token.text.partition("=")
    if not sep or not value or not _SECRET_WORDS.search(name.replace("_", "-")):
        return []
    return [(token.source_index(len(name)) + 1, token.end)]


def _apply(line: str, spans: Sequence[Span]) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, cursor = [], 0
    for start, end in merged:
        pieces.append(line[cursor:start] + MASK)
        cursor = end
    pieces.append(line[cursor:])
    return "".join(pieces)


def _mask_all_but_first_word(line: str) -> str:
    stripped = line.strip()
    first = stripped.split(None, 1)[0] if stripped else ""
    return f"{first} {MASK}" if len(stripped) > len(first) else first
