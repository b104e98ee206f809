"""Tab completion for the terminal: the words that can stand where the cursor is.

Completion reads the line the way parsing does (the same tokenizer, the same global
option scan), but never raises: a half-typed line is the normal case. It returns whole
words that start with what is typed under the cursor, sorted; the terminal replaces the
partial word with the one chosen (or the longest common prefix). Option names are offered
once a `-` is typed, so that a bare Tab lists services, commands or values. Everything it consults
is cached, so a keystroke costs microseconds once the models are loaded.

Profile names (after `--profile` and in `export AWS_PROFILE=`) are the user's, so the
caller passes a function that reads them; it is called only when such a word is being
completed, so other keystrokes never touch the database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from . import catalog
from . import customizations as cz
from .arguments import FLAG, operation_spec
from .globalopts import GLOBAL_OPTIONS, refusal
from .help import service_commands
from .operation import SPECIAL_OPTIONS
from .paramfiles import FILE_PREFIXES
from .parser import FILE_BUILTINS
from .scanning import is_option, positionals, scan_globals
from .tokenizer import Token, tokenize

_FIRST_WORDS = (
    "aws",
    "clear",
    "env",
    "export",
    "guard",
    "help",
    "history",
    "rerun",
    "unset",
    "whoami",
    *FILE_BUILTINS,
)
# Workspace paths that complete a typed word: (word, folders only) -> whole words, folders
# ending in `/`. The caller's (console.commands), since only it can see the workspace.
PathCompleter = Callable[[str, bool], list[str]]
_ENVIRONMENT = (
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_OUTPUT",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_MAX_ATTEMPTS",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_RETRY_MODE",
    "AWS_ROLE_ARN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)
_PROFILE_ASSIGNMENT = "AWS_PROFILE="
_CONFIGURE = ("export-credentials", "get", "list", "list-profiles", "set", "sso")


Profiles = Callable[[], Iterable[str]]


def complete(
    line: str, cursor: int, profiles: Profiles | None = None, paths: PathCompleter | None = None
) -> list[str]:
    """Candidates for the word under `cursor` (an index into `line`), sorted. `profiles`
    gives the profile names the user may use (their own and their teams'). With `paths`,
    the file builtins' operands and `file://`/`fileb://` values complete to workspace
    paths."""
    try:
        words, prefix = _words_before(line[: max(0, min(cursor, len(line)))])
        words = _explained(words)
        files = _path_words(words, prefix, paths) if paths is not None else None
        if files is not None:
            return sorted(files)
        wants_option = prefix.startswith("-")
        return sorted(
            c
            for c in _candidates(words, prefix, profiles or _no_profiles)
            if c.startswith(prefix) and (wants_option or not c.startswith("-"))
        )
    except Exception:  # completion must never break typing
        return []


def _path_words(words: list[Token], prefix: str, paths: PathCompleter) -> list[str] | None:
    """Workspace paths for this word, or None when the word is not a path."""
    for scheme in FILE_PREFIXES:
        if prefix.startswith(scheme):
            return [scheme + path for path in paths(prefix[len(scheme) :], False)]
    if words and words[0].text in FILE_BUILTINS and not prefix.startswith("-"):
        return paths(prefix, words[0].text == "cd")
    return None


def _explained(words: list[Token]) -> list[Token]:
    """`guard explain <command line>`: the line completes as it would typed alone."""
    return words[2:] if [word.text for word in words[:2]] == ["guard", "explain"] else words


def _words_before(text: str) -> tuple[list[Token], str]:
    tokens = tokenize(text, lenient=True)
    if not tokens or text[-1:].isspace() or tokens[-1].end < len(text):
        return tokens, ""
    return tokens[:-1], tokens[-1].text


def _no_profiles() -> Iterable[str]:
    return ()


def _candidates(words: list[Token], prefix: str, profiles: Profiles) -> list[str]:
    if not words:
        return list(_FIRST_WORDS)
    if words[0].text == "export" and prefix.startswith(_PROFILE_ASSIGNMENT):
        return [_PROFILE_ASSIGNMENT + name for name in profiles()]
    if words[0].text in ("export", "unset"):
        return [name + "=" for name in _ENVIRONMENT] if words[0].text == "export" else list(_ENVIRONMENT)
    if words[0].text == "help":
        return _after_aws(words[1:], include_options=False)
    if words[0].text == "guard":
        return ["elevate", "elevations", "explain"] if len(words) == 1 else []
    if words[0].text != "aws":
        return []
    if words[-1].text == "--profile":
        return list(profiles())
    return _after_aws(words[1:], include_options=True)


def _after_aws(words: list[Token], include_options: bool) -> list[str]:
    if words and words[-1].text in GLOBAL_OPTIONS:
        option = GLOBAL_OPTIONS[words[-1].text]
        if option.takes_value:
            return list(option.choices)
    scan = scan_globals(words)
    used = {use.option.name for use in scan.uses}
    rest = scan.rest
    slots = positionals(rest)
    names = [rest[k].text for k in slots]
    globals_left = [name for name in _global_names() if name not in used] if include_options else []
    if not names:
        return [*_services(), *globals_left]
    service = names[0]
    if service == cz.CONFIGURE_COMMAND:
        return list(_CONFIGURE) if len(names) == 1 else []
    if catalog.service_table().get(service) is None:
        return []
    if len(names) == 1:
        return [*service_commands(service), "help", *globals_left]
    entry = catalog.command_table(service).get(names[1])
    if entry is None or entry.operation is None:
        return []
    return _parameter_words(service, names[1], rest, globals_left)


def _parameter_words(service: str, command: str, rest: list[Token], globals_left: list[str]) -> list[str]:
    spec = operation_spec(service, command)
    if rest and is_option(rest[-1].text):
        argument = spec.arguments.get(rest[-1].text[2:])
        if argument is not None and argument.arity != FLAG:
            return _enum_values(argument.shape)
    typed = {token.text.split("=", 1)[0] for token in rest if token.text.startswith("--")}
    options = ["--" + name for name in spec.arguments] + list(SPECIAL_OPTIONS)
    return [name for name in options if name not in typed] + globals_left


def _enum_values(shape: object) -> list[str]:
    if shape is None:
        return []
    metadata = getattr(shape, "metadata", {})
    if getattr(shape, "type_name", "") == "list":
        metadata = shape.member.metadata  # type: ignore[attr-defined]
    return list(metadata.get("enum", ()))


@functools.cache
def _services() -> tuple[str, ...]:
    return tuple(sorted([*catalog.visible_services(), cz.CONFIGURE_COMMAND, "help"]))


@functools.cache
def _global_names() -> tuple[str, ...]:
    return tuple(name for name, option in GLOBAL_OPTIONS.items() if refusal(option, 0) is None)
