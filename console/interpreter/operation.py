"""The parameters of one operation: words -> the dict botocore's client method takes.

Checks run in the CLI's order, so the first error reported is the one the CLI reports:
while reading words, a missing value or a number argparse cannot read; then missing
required parameters; then unknown options; then each value, in the operation's member
order. One departure: a parameter given twice is an error here (argparse keeps the last),
because a command whose meaning depends on which copy wins should not be run or audited.

`--cli-input-json|yaml` and `--generate-cli-skeleton` exist for every operation, as in the
CLI; both switch the required-parameter check off (except the `output` skeleton).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import errors, inputdoc
from .arguments import FLAG, LIST, OPTIONAL, SINGLE, Argument, OperationSpec
from .errors import CommandError, general_error, invalid_choice, usage_error
from .globalopts import GLOBAL_OPTIONS, refusal
from .paramfiles import Reader, is_file_value, load_text
from .redaction import mask_word, token_spans
from .rewrites import rewrite_for
from .scanning import is_option, split_option, take_values
from .tokenizer import Token
from .values import MASK, argparse_value, convert, decode_blobs, paging_value

_GLOBAL_NAMES = [name for name, option in GLOBAL_OPTIONS.items() if refusal(option, 0) is None]
_SKELETON = "--generate-cli-skeleton"
SPECIAL_OPTIONS = (*inputdoc.INPUT_OPTIONS, _SKELETON)


@dataclass
class _Given:
    argument: Argument
    option: Token
    tokens: list[Token]
    raw: Any


@dataclass
class _Reading:
    given: dict[str, _Given] = field(default_factory=dict)  # by argument group
    unknown: list[Token] = field(default_factory=list)
    strays: list[Token] = field(default_factory=list)
    specials: dict[str, tuple[Token, Token | None]] = field(default_factory=dict)  # option, value

    @property
    def skeleton(self) -> str | None:
        if _SKELETON not in self.specials:
            return None
        value = self.specials[_SKELETON][1]
        return value.text if value is not None else "input"


@dataclass(frozen=True)
class ParsedOperation:
    parameters: dict[str, Any]
    paging: dict[str, Any]
    skeleton: str | None = None  # "input", "yaml-input" or "output" when one was asked for
    outfile: str | None = None  # where a streaming output goes (the CLI's `outfile` positional)


def parse_operation(
    spec: OperationSpec,
    command: Token,
    words: list[Token],
    settings: dict[str, Any],
    line_tokens: Sequence[Token],
    files: Reader | None = None,
) -> ParsedOperation | None:
    """The parameters and paging options, or None when the words ask for help.

    `command` is the word naming the operation; `words` are the ones after it;
    `line_tokens` are all the line's, to mask secrets in an error message; `files`
    reads `file://` and `fileb://` values.
    """
    reading = _read(spec, words)
    if reading.strays and reading.strays[0].text == "help":
        return None
    outfile = _take_outfile(spec, reading)
    documents = [name for name in inputdoc.INPUT_OPTIONS if name in reading.specials]
    if not documents and reading.skeleton in (None, "output"):
        _check_required(spec, reading, outfile)
    elif outfile is None and spec.model.has_streaming_output:  # a positional: always required
        raise usage_error("the following arguments are required: outfile")
    _check_unknown(spec, reading, line_tokens)
    no_paginate = bool(settings.get("no_paginate")) or any(
        name in spec.manual_paging for name in (g.argument.name for g in reading.given.values())
    )
    paging = _paging_options(reading, no_paginate)
    parameters = _parameters(spec, reading, no_paginate, files)
    _write_customs(spec, reading, parameters, files)
    blob_positions = {
        g.argument.member: (g.tokens or [g.option])[0].start
        for g in reading.given.values()
        if g.argument.member
    }
    for name in documents:
        option, value = reading.specials[name]
        assert value is not None
        shown = MASK if spec.sensitive else value.text
        document = inputdoc.load_input(name, value, shown, files)
        for key in document:
            blob_positions.setdefault(key, value.start)
        parameters = inputdoc.merge_input(parameters, document)
    _finish_rewrite(spec, reading, parameters)
    if settings.get("cli_binary_format", "base64") == "base64":
        decode_blobs(parameters, spec.model.input_shape, blob_positions.get)
    return ParsedOperation(parameters, paging, reading.skeleton, outfile.text if outfile else None)


def _write_customs(
    spec: OperationSpec, reading: _Reading, parameters: dict[str, Any], files: Reader | None
) -> None:
    """The CLI's added parameters write into the model's, in argument-table order."""
    given = {g.argument.name: g for g in reading.given.values()}
    for name, argument in spec.arguments.items():
        if argument.custom is not None and name in given:
            raw = given[name].raw
            if isinstance(raw, str) and is_file_value(raw):
                raw = load_text(raw, files, argument.cli_name, given[name].option.start)
            try:
                argument.custom.write(parameters, raw)
            except CommandError as error:
                error.position = (given[name].tokens or [given[name].option])[0].source_index(0)
                raise


def _finish_rewrite(spec: OperationSpec, reading: _Reading, parameters: dict[str, Any]) -> None:
    rewrite = rewrite_for(spec.cli_service, spec.command)
    if rewrite is not None and rewrite.finish is not None:
        rewrite.finish(parameters, {g.argument.name for g in reading.given.values()})


def _read(spec: OperationSpec, words: list[Token]) -> _Reading:
    reading = _Reading()
    known = {"--" + name for name in spec.arguments} | set(SPECIAL_OPTIONS)
    i = 0
    while i < len(words):
        token = words[i]
        if not is_option(token.text, known):
            reading.strays.append(token)
            i += 1
            continue
        name, explicit = split_option(token)
        if name in SPECIAL_OPTIONS:
            i += 1 + _read_special(reading, name, token, explicit, words, i + 1, known)
            continue
        argument = spec.arguments.get(name[2:]) if name in known else None
        if argument is None:
            reading.unknown.append(token)
            i += 1
            continue
        values = [explicit] if explicit is not None else take_values(words, i + 1, argument.arity, known)
        _remember(reading, argument, token, explicit, values)
        i += 1 + (0 if explicit is not None else len(values))
    return reading


def _read_special(
    reading: _Reading,
    name: str,
    option: Token,
    explicit: Token | None,
    words: list[Token],
    i: int,
    known: set[str],
) -> int:
    """Record `--cli-input-*` / `--generate-cli-skeleton`; returns how many value words it took."""
    if name in reading.specials:
        raise usage_error(f"argument {name}: given more than once", option.start)
    other = next((n for n in inputdoc.INPUT_OPTIONS if n in reading.specials and n != name), None)
    if name in inputdoc.INPUT_OPTIONS and other is not None:
        raise inputdoc.refuse_both(other, name, option.start)
    arity = OPTIONAL if name == _SKELETON else SINGLE
    values = [explicit] if explicit is not None else take_values(words, i, arity, known)
    if arity == SINGLE and not values:
        raise usage_error(f"argument {name}: expected one argument", option.start)
    if name == _SKELETON and values and values[0].text not in inputdoc.SKELETON_CHOICES:
        raise invalid_choice(name, values[0].text, inputdoc.SKELETON_CHOICES, values[0].start)
    reading.specials[name] = (option, values[0] if values else None)
    return 0 if explicit is not None else len(values)


def _remember(
    reading: _Reading, argument: Argument, option: Token, explicit: Token | None, values: list[Token]
) -> None:
    earlier = reading.given.get(argument.group)
    if earlier is not None:
        raise _given_twice(argument, earlier.argument, option)
    if argument.arity == FLAG and explicit is not None:
        raise usage_error(
            f"argument {argument.cli_name}: ignored explicit argument {explicit.text!r}", option.start
        )
    if argument.arity not in (FLAG, OPTIONAL, LIST) and not values:
        raise usage_error(f"argument {argument.cli_name}: expected one argument", option.start)
    raw: Any = argument.flag_value
    if argument.arity == LIST:
        raw = [value.text for value in values]
    elif values and argument.custom is not None:
        raw = values[0].text
    elif values and argument.member is None:  # --starting-token, --page-size, --max-items
        raw = paging_value(argument, values[0])
    elif values:
        raw = argparse_value(argument, values[0])
    reading.given[argument.group] = _Given(argument, option, values, raw)


def _given_twice(argument: Argument, earlier: Argument, option: Token) -> CommandError:
    if argument.name == earlier.name:
        return usage_error(f"argument {argument.cli_name}: given more than once", option.start)
    if isinstance(argument.flag_value, dict):  # the CLI's own check for {"Value": bool} flags
        first, second = sorted((earlier.cli_name, argument.cli_name), key=len)
        return general_error(
            f'Cannot specify both the "{first}" option and the "{second}" option.', option.start
        )
    return usage_error(
        f"argument {argument.cli_name}: not allowed with argument {earlier.cli_name}", option.start
    )


def _take_outfile(spec: OperationSpec, reading: _Reading) -> Token | None:
    """The CLI's `outfile` positional of an operation with a streaming output: the first
    word that is not an option (later ones are unknown, as argparse leaves them)."""
    if not spec.model.has_streaming_output or not reading.strays:
        return None
    return reading.strays.pop(0)


def _check_required(spec: OperationSpec, reading: _Reading, outfile: Token | None) -> None:
    missing = [a.cli_name for a in spec.arguments.values() if a.required and a.group not in reading.given]
    if spec.model.has_streaming_output and outfile is None:
        missing.append("outfile")
    if missing:
        raise usage_error("the following arguments are required: " + ", ".join(missing))


def _check_unknown(spec: OperationSpec, reading: _Reading, line_tokens: Sequence[Token]) -> None:
    unknown = sorted(reading.unknown + reading.strays, key=lambda token: token.start)
    if not unknown:
        return
    spans = token_spans(line_tokens)
    suggestion = None
    if reading.unknown:
        name = reading.unknown[0].text.partition("=")[0]
        suggestion = errors.closest(name, ["--" + a for a in spec.arguments] + _GLOBAL_NAMES)
    raise errors.unknown_options_error(
        [mask_word(token, spans) for token in unknown], suggestion, unknown[0].start
    )


def _paging_options(reading: _Reading, no_paginate: bool) -> dict[str, Any]:
    """--starting-token/--page-size/--max-items for the worker's paginator."""
    used = {
        g.argument.name: g.raw
        for g in reading.given.values()
        if g.argument.member is None
        and g.argument.custom is None
        and not (no_paginate and g.argument.shadowed)
    }
    if no_paginate and used:
        raise general_error(
            "Error during pagination: Cannot specify --no-paginate along with pagination "
            "arguments: " + ", ".join("--" + name for name in used)
        )
    options: dict[str, Any] = {name.replace("-", "_"): value for name, value in used.items()}
    if no_paginate:
        options["no_paginate"] = True
    return options


def _parameters(
    spec: OperationSpec, reading: _Reading, no_paginate: bool, files: Reader | None
) -> dict[str, Any]:
    given_by_name = {g.argument.name: g for g in reading.given.values()}
    parameters: dict[str, Any] = {}
    for name, argument in spec.arguments.items():
        given = given_by_name.get(name)
        if given is not None and argument.member is None and no_paginate and argument.shadowed:
            # With pagination off, a paging argument gives way to the model parameter it hid.
            argument = argument.shadowed
            given = _Given(argument, given.option, given.tokens, given.tokens[0].text)
        if given is not None and argument.member is not None:
            parameters[argument.member] = _value(argument, given, files)
    return parameters


def _value(argument: Argument, given: _Given, files: Reader | None) -> Any:
    if argument.arity in (FLAG, OPTIONAL) and not given.tokens:
        return argument.flag_value
    return convert(argument, given.raw, given.tokens, files)
