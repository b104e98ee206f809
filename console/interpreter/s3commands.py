"""`aws s3 ls|mb|rb|rm|cp|mv|presign ...` -> an S3Command, checked as the CLI checks it.

The high-level S3 commands are hand-written in the CLI (argparse over a table of options,
then checks on the paths), so they are parsed here from the table in `s3options.py`, in
the CLI's order: argparse's errors while reading words, then missing paths, then unknown
options, then integers, then the paths themselves. Everything that needs no AWS call is
decided here; the engine (`console/engine/s3.py`) only calls S3 and prints.

Local paths (`aws s3 cp file.txt s3://...`, `aws s3 sync s3://... folder`) name files of
the user's workspace (docs/workspace.md), relative to the terminal's current directory;
the engine reaches them only through what the commands layer hands it
(`console/engine/s3local.py`), never the server's own files. `-` is the run's stdin or
stdout. As elsewhere, an option given twice is refused (argparse keeps the last), and the
CLI's `--include`/`--exclude`/`--tags` are the repeatable ones.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.errors import ExitCode

from .errors import CommandError, console_error, general_error, invalid_choice, usage_error
from .globalopts import GlobalOptions
from .s3options import (
    APPEND,
    COMMANDS,
    FLAG,
    INTEGER,
    NOT_YET,
    OPTIONAL,
    PAIR,
    SUBCOMMANDS,
    S3CommandSpec,
    S3Option,
)
from .scanning import is_option, split_option
from .tokenizer import Token

S3_SCHEME = "s3://"

# CLI option dest -> CopyObject parameter, for the options that pass straight through.
_COPY_PARAMETERS = {
    "acl": "ACL",
    "storage_class": "StorageClass",
    "website_redirect": "WebsiteRedirectLocation",
    "content_type": "ContentType",
    "cache_control": "CacheControl",
    "content_disposition": "ContentDisposition",
    "content_encoding": "ContentEncoding",
    "content_language": "ContentLanguage",
    "expires": "Expires",
    "metadata_directive": "MetadataDirective",
    "sse": "ServerSideEncryption",
    "sse_kms_key_id": "SSEKMSKeyId",
    "request_payer": "RequestPayer",
    "checksum_algorithm": "ChecksumAlgorithm",
}


@dataclass(frozen=True)
class S3Command:
    """One high-level S3 command. `paths` are as typed (an `s3://` prefix added to a bare
    bucket is the CLI's normalisation: `s3://b` -> `s3://b/` for rm/cp/mv)."""

    name: str  # ls, mb, rb, rm, cp, mv, presign
    paths: tuple[str, ...]
    options: GlobalOptions
    redacted_line: str
    recursive: bool = False
    dryrun: bool = False
    quiet: bool = False  # prints nothing, not even errors
    only_show_errors: bool = False
    human_readable: bool = False
    summarize: bool = False
    force: bool = False
    page_size: int | None = None
    request_payer: str | None = None
    expires_in: int = 3600
    filters: tuple[tuple[str, str], ...] = ()  # ("include"|"exclude", pattern), in order
    tags: tuple[tuple[str, str], ...] = ()
    bucket_name_prefix: str | None = None
    bucket_region: str | None = None
    copy_parameters: tuple[tuple[str, str], ...] = ()  # extra CopyObject parameters
    ignore_glacier_warnings: bool = False
    force_glacier_transfer: bool = False
    no_progress: bool = False
    guess_mime_type: bool = True
    delete: bool = False  # sync
    exact_timestamps: bool = False  # sync
    size_only: bool = False  # sync

    @property
    def paths_type(self) -> str:
        """The CLI's `s3s3`, `locals3`, `s3local` (or `s3` for one path)."""
        return "".join("s3" if path.startswith(S3_SCHEME) else "local" for path in self.paths)

    @property
    def is_stream(self) -> bool:
        return "-" in self.paths[:2] and self.name == "cp"


@dataclass
class _Words:
    values: dict[str, Any]
    paths: list[Token]
    unknown: list[Token]


def parse_s3(words: Sequence[Token], options: GlobalOptions, redacted: str) -> S3Command | tuple[str, ...]:
    """`words` follow `aws s3` (global options removed). Returns the command, or the
    arguments of a help builtin (`("s3",)`, `("s3", "ls")`) when help was asked for."""
    if not words:
        raise usage_error("the following arguments are required: subcommand")
    first = words[0]
    if first.text == "help":
        return ("s3",)
    if first.text not in SUBCOMMANDS:
        raise invalid_choice("subcommand", first.text, SUBCOMMANDS, first.start)
    if words[-1].text == "help":
        return ("s3", first.text)
    if first.text in NOT_YET:
        raise console_error(NOT_YET[first.text], first.start)
    spec = COMMANDS[first.text]
    read = _read_words(spec, words[1:])
    _check_arity(spec, read)
    values = _integers(spec, read.values)
    paths = _check_paths(spec, [token.text for token in read.paths] or ["s3://"], read.paths)
    return _build(spec, paths, values, options, redacted)


def _read_words(spec: S3CommandSpec, words: Sequence[Token]) -> _Words:
    read = _Words({}, [], [])
    i = 0
    while i < len(words):
        token = words[i]
        if not is_option(token.text):
            read.paths.append(token)
            i += 1
            continue
        name, explicit = split_option(token)
        option = spec.option(name[2:]) if name.startswith("--") else None
        if option is None:
            read.unknown.append(token)
            i += 1
            continue
        if not option.supported:
            raise console_error(
                f"argument {name} of `aws s3 {spec.name}` is not available in this console yet", token.start
            )
        taken = _take(option.kind, name, token, explicit, words, i + 1)
        i += 1 + (len(taken) if explicit is None else 0)
        _store(read.values, option.dest, option.kind, name, token, _value(option, name, taken))
    return read


def _take(
    kind: str, name: str, token: Token, explicit: Token | None, words: Sequence[Token], i: int
) -> list[Token]:
    if kind == FLAG:
        if explicit is not None:
            raise usage_error(f"argument {name}: ignored explicit argument {explicit.text!r}", token.start)
        return []
    if explicit is not None:
        return [explicit]
    wanted = 2 if kind == PAIR else 1
    taken: list[Token] = []
    while len(taken) < wanted and i < len(words) and not is_option(words[i].text):
        taken.append(words[i])
        i += 1
    if len(taken) < wanted and kind != OPTIONAL:
        # argparse words it by nargs: None -> "one argument", 1 (--include) -> "1 argument".
        expected = {PAIR: "expected 2 arguments", APPEND: "expected 1 argument"}.get(
            kind, "expected one argument"
        )
        raise usage_error(f"argument {name}: {expected}", token.start)
    return taken


def _value(option: S3Option, name: str, taken: list[Token]) -> Any:
    if option.kind == FLAG:
        return True
    if option.kind == OPTIONAL and not taken:
        return option.const
    if option.kind == PAIR:
        return (taken[0].text, taken[1].text)
    value = taken[0]
    if option.choices and value.text not in option.choices:
        raise invalid_choice(name, value.text, option.choices, value.start)
    return value.text


def _store(values: dict[str, Any], dest: str, kind: str, name: str, token: Token, value: Any) -> None:
    if kind == APPEND:
        values.setdefault("filters", []).append((name[2:], value))
    elif kind == PAIR:
        values.setdefault(dest, []).append(value)
    elif dest in values:
        raise usage_error(f"argument {name}: given more than once", token.start)
    else:
        values[dest] = value


def _check_arity(spec: S3CommandSpec, read: _Words) -> None:
    wanted = max(spec.positionals, 1)
    if len(read.paths) < spec.positionals:
        dest = "paths" if spec.name in ("rm", "cp", "mv") else "path"
        raise usage_error(f"the following arguments are required: {dest}")
    extra = read.paths[wanted:]
    del read.paths[wanted:]
    unknown = sorted([*read.unknown, *extra], key=lambda token: token.start)
    if unknown:
        # The CLI's hand-written commands report these through its general handler: no
        # usage banner, no suggestion, words joined by a bare comma; v2 exits 252.
        words = ",".join(token.text for token in unknown)
        raise CommandError(f"\nUnknown options: {words}\n", ExitCode.USAGE, unknown[0].start)


def _integers(spec: S3CommandSpec, values: dict[str, Any]) -> dict[str, Any]:
    for option in spec.options:
        if option.kind == INTEGER and option.dest in values:
            try:
                values[option.dest] = int(values[option.dest])
            except ValueError:
                raise general_error(
                    f"invalid literal for int() with base 10: {values[option.dest]!r}"
                ) from None
    return values


def _check_paths(spec: S3CommandSpec, paths: list[str], tokens: Sequence[Token]) -> list[str]:
    where = tokens[0].start if tokens else None
    for path in paths:
        if path.startswith(S3_SCHEME + "arn:"):
            raise console_error("access point and Outposts ARNs are not available in `aws s3` yet", where)
    if spec.name in ("ls", "presign"):
        return paths
    if spec.name in ("mb", "rb"):
        return [_bucket_path(spec, paths[0])]
    if spec.name in ("cp", "mv", "sync"):
        _check_transfer_paths(spec, paths)
    elif not paths[0].startswith(S3_SCHEME):
        raise general_error(f"usage: aws s3 {spec.name} {spec.usage}\nError: Invalid argument type")
    return [_with_bucket_slash(path) for path in paths]


def _bucket_path(spec: S3CommandSpec, path: str) -> str:
    if not path.startswith(S3_SCHEME):
        raise general_error(f"{spec.usage}\nError: Invalid argument type")
    bucket, key = split_s3_path(path)
    if spec.name == "mb" and bucket.endswith("--x-s3"):
        raise general_error("Cannot use mb command with a directory bucket.")
    if spec.name == "rb" and key:
        raise general_error(f"Please specify a valid bucket name only. E.g. s3://{bucket}")
    return path


def _check_transfer_paths(spec: S3CommandSpec, paths: list[str]) -> None:
    """The CLI's check_path_type: one side at least is S3 (a local-to-local copy is `cp`)."""
    if not any(path.startswith(S3_SCHEME) for path in paths[:2]):
        raise general_error(f"usage: aws s3 {spec.name} {spec.usage}\nError: Invalid argument type")


def _check_stream(name: str, paths: list[str], recursive: bool) -> None:
    if "-" in paths[:2] and (name != "cp" or recursive):
        raise general_error("Streaming currently is only compatible with non-recursive cp commands")


def _with_bucket_slash(path: str) -> str:
    """The CLI's normalisation: a bucket without a key means the whole bucket (`s3://b/`)."""
    if not path.startswith(S3_SCHEME):
        return path
    _, key = split_s3_path(path)
    return path if key or path.endswith("/") else path + "/"


def split_s3_path(path: str) -> tuple[str, str]:
    """`s3://bucket/some/key` (or `bucket/some/key`) -> ("bucket", "some/key")."""
    if path.startswith(S3_SCHEME):
        path = path[len(S3_SCHEME) :]
    bucket, _, key = path.partition("/")
    return bucket, key


def _build(
    spec: S3CommandSpec, paths: list[str], values: dict[str, Any], options: GlobalOptions, redacted: str
) -> S3Command:
    recursive = values.get("recursive", False) or spec.name == "sync"
    if spec.name in ("cp", "mv", "sync"):
        _check_stream(spec.name, paths, recursive)
    if spec.name == "mv" and all(path.startswith(S3_SCHEME) for path in paths):
        _refuse_move_onto_itself(paths[0], paths[1])
    copy_parameters = tuple(
        (parameter, values[dest]) for dest, parameter in _COPY_PARAMETERS.items() if values.get(dest)
    )
    return S3Command(
        spec.name,
        tuple(paths),
        options,
        redacted,
        recursive=recursive,
        dryrun=values.get("dryrun", False),
        quiet=values.get("quiet", False),
        only_show_errors=values.get("only_show_errors", False),
        human_readable=values.get("human_readable", False),
        summarize=values.get("summarize", False),
        force=values.get("force", False),
        page_size=values.get("page_size"),
        request_payer=values.get("request_payer"),
        expires_in=values.get("expires_in", 3600),
        filters=tuple(values.get("filters", ())),
        tags=tuple(values.get("tags", ())),
        bucket_name_prefix=values.get("bucket_name_prefix"),
        bucket_region=values.get("bucket_region"),
        copy_parameters=copy_parameters if spec.name in ("cp", "mv", "sync") else (),
        ignore_glacier_warnings=values.get("ignore_glacier_warnings", False),
        force_glacier_transfer=values.get("force_glacier_transfer", False),
        no_progress=values.get("no_progress", False),
        guess_mime_type=not values.get("no_guess_mime_type", False),
        delete=values.get("delete", False),
        exact_timestamps=values.get("exact_timestamps", False),
        size_only=values.get("size_only", False),
    )


def _refuse_move_onto_itself(source: str, destination: str) -> None:
    # The CLI compares the paths as typed (after the bucket-slash normalisation).
    same = source == destination or (
        destination.endswith("/") and source == posixpath.join(destination, posixpath.basename(source))
    )
    if same:
        raise general_error(f"Cannot mv a file onto itself: {source} - {destination}")
