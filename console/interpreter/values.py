"""Turn the text typed for a parameter into the Python value botocore expects.

Dispatch is by shape type through one table, as in botocore's serializers. The rules and
the error texts are the CLI's: integers with `int()`, longs/floats/doubles as argparse
reads them, structures/maps/documents as JSON, lists as several words or one JSON list,
and blobs as base64 (AWS CLI v2's default `cli_binary_format`), including blobs nested in
JSON or shorthand. Structures, maps and lists of them also take shorthand syntax
(`shorthand.py`), chosen as the CLI chooses: a value that starts with `{` or `[` is JSON.
`file://` and `fileb://` values are read through the caller's reader (paramfiles.py): files
come from the user's workspace, and the server's own files are never read.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any

from botocore.model import Shape
from botocore.utils import is_json_value_header

from . import paramfiles, shorthand
from .arguments import LIST, SINGLE, Argument
from .errors import CommandError, general_error, param_error, usage_error
from .paramfiles import Reader
from .tokenizer import Token

MASK = "****"
SCALAR_TYPES = frozenset({"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"})


def argparse_value(argument: Argument, token: Token) -> Any:
    """The conversion the CLI leaves to argparse, which fails before anything else is checked."""
    type_name = argument.shape.type_name if argument.shape is not None else ""
    if argument.arity == SINGLE and type_name == "long":
        return _argparse(int, "int", argument, token)
    if argument.arity == SINGLE and type_name in ("float", "double"):
        return _argparse(float, "float", argument, token)
    return token.text


def paging_value(argument: Argument, token: Token) -> Any:
    if argument.name == "starting-token":
        return token.text
    return _argparse(int, "int", argument, token)


def _argparse(kind: Callable[[str], Any], label: str, argument: Argument, token: Token) -> Any:
    try:
        return kind(token.text)
    except ValueError:
        shown = MASK if argument.sensitive else token.text
        raise usage_error(
            f"argument {argument.cli_name}: invalid {label} value: {shown!r}", token.start
        ) from None


def convert(argument: Argument, raw: Any, tokens: Sequence[Token], files: Reader | None = None) -> Any:
    """The parameter value for `raw` (one value, or a list for list arguments). A
    `file://`/`fileb://` value is read first, as the CLI reads it (a list only when it
    is the one value given)."""
    assert argument.shape is not None
    if len(tokens) == 1 and paramfiles.is_file_value(tokens[0].text):
        return _from_file(argument, tokens[0], files)
    if argument.arity == LIST:
        return _list(argument, argument.shape, [t.text for t in tokens], tokens, files)
    return _value(argument, argument.shape, raw, tokens[0], files)


def _from_file(argument: Argument, token: Token, files: Reader | None) -> Any:
    assert argument.shape is not None
    shape = argument.shape
    if shape.type_name == "blob" and token.text.startswith("fileb://"):
        return paramfiles.load(token.text, files, argument.cli_name, token.start)  # raw bytes, as given
    text = paramfiles.load_text(token.text, files, argument.cli_name, token.start)
    loaded = Token(text, token.start, token.end, ())
    if argument.arity == LIST:
        return _list(argument, shape, [text], [loaded], files)
    return _value(argument, shape, text, loaded, files)


def file_refusal(cli_name: str, position: int | None) -> CommandError:
    return paramfiles.refusal(cli_name, position)


def _value(argument: Argument, shape: Shape, raw: Any, token: Token, files: Reader | None) -> Any:
    if not isinstance(raw, str):
        return raw  # already converted by argparse_value
    if is_json_value_header(shape) or getattr(shape, "is_document_type", False):
        return _json(argument, raw, token)
    reader = _READERS.get(shape.type_name)
    if reader is None:
        return raw
    return reader(argument, shape, raw, token, files)


def _string(argument: Argument, shape: Shape, raw: str, token: Token, files: Reader | None) -> Any:
    return raw


def _integer(argument: Argument, shape: Shape, raw: str, token: Token, files: Reader | None) -> Any:
    try:
        return int(raw)
    except ValueError:
        shown = MASK if argument.sensitive else raw
        raise general_error(f"invalid literal for int() with base 10: {shown!r}", token.start) from None


def _float(argument: Argument, shape: Shape, raw: str, token: Token, files: Reader | None) -> Any:
    try:
        return float(raw)
    except ValueError:
        shown = MASK if argument.sensitive else raw
        raise general_error(f"could not convert string to float: {shown!r}", token.start) from None


def _boolean(argument: Argument, shape: Shape, raw: str, token: Token, files: Reader | None) -> Any:
    return raw.lower() != "false" and bool(raw)


def _blob(argument: Argument, shape: Shape, raw: str, token: Token, files: Reader | None) -> Any:
    if shape.serialization.get("streaming"):
        # The CLI's unpack_scalar_cli_arg: a path to the file to send (opened by the engine).
        if files is None:
            raise param_error(
                argument.cli_name,
                "a streaming blob is read from your workspace, and this command has none",
                token.start,
            )
        return paramfiles.StreamingFile(raw, argument.cli_name)
    return raw  # decoded with every nested blob by decode_blobs


def _structure(argument: Argument, shape: Shape, raw: str, token: Token, files: Reader | None) -> Any:
    if raw.lstrip().startswith("{"):
        return _json(argument, raw, token)
    if raw.strip().startswith("[") or not shorthand.supports_shorthand(shape):
        raise param_error(argument.cli_name, f"Invalid JSON:\n{_shown(argument, raw)}", token.source_index(0))
    if _is_value_wrapper(shape) and "=" not in raw:
        return {"Value": raw}  # the CLI's `--instance-initiated-shutdown-behavior stop`
    return _shorthand(argument, shape, raw, token, files)


def _is_value_wrapper(shape: Shape) -> bool:
    members = shape.members if shape.type_name == "structure" else {}
    return list(members) == ["Value"] and members["Value"].type_name == "string"


def _shorthand(argument: Argument, shape: Shape, raw: str, token: Token, files: Reader | None) -> Any:
    try:
        return shorthand.coerce(shorthand.parse(raw, _shorthand_files(argument, token, files)), shape)
    except shorthand.ShorthandError as error:
        index = error.index
        message = error.message if not argument.sensitive else _masked_syntax(error.message)
        position = token.source_index(index) if index is not None else token.start
        raise param_error(argument.cli_name, message, position) from None
    except ValueError as error:  # a number the model wants; the CLI's general handler reports it
        detail = str(error) if not argument.sensitive else "invalid number in a sensitive value"
        raise general_error(detail, token.start) from None


def _shorthand_files(argument: Argument, token: Token, files: Reader | None) -> shorthand.FileLoader:
    """`key@=file://...` inside shorthand: the value's file, read as the CLI reads it."""
    return lambda text: paramfiles.load(text, files, None, token.start)


def _masked_syntax(message: str) -> str:
    """A shorthand error without the echoed (secret) value; the position still says where."""
    head = message.split(" for input:", 1)[0].split(" encountered", 1)[0].split(", received:", 1)[0]
    return f"{head} for input:\n{MASK}"


def _shown(argument: Argument, raw: str) -> str:
    return MASK if argument.sensitive else raw


def _list(
    argument: Argument, shape: Shape, raws: list[str], tokens: Sequence[Token], files: Reader | None
) -> Any:
    if len(raws) == 1 and raws[0].strip().startswith("["):
        return _json(argument, raws[0], tokens[0])
    member = shape.member
    items = zip(raws, tokens, strict=True)
    if raws and shorthand.supports_shorthand(shape) and not raws[0].strip().startswith(("[", "{")):
        if argument.bare_list_key:  # the CLI's old form: `--instances i-1 i-2`
            return [{argument.bare_list_key: raw} for raw in raws]
        return [_shorthand(argument, member, raw, token, files) for raw, token in items]
    if member.type_name not in SCALAR_TYPES:
        return [_value(argument, member, raw, token, files) for raw, token in items]
    try:
        return [_value(argument, member, raw, token, files) for raw, token in items]
    except CommandError:  # the CLI names the parameter and shows only the first word
        shown = MASK if argument.sensitive else raws[0]
        raise param_error(argument.cli_name, shown, tokens[0].start) from None


def _nested_list(argument: Argument, shape: Shape, raw: str, token: Token, files: Reader | None) -> Any:
    if raw.lstrip().startswith("["):
        return _json(argument, raw, token)
    if not shorthand.supports_shorthand(shape):
        raise param_error(argument.cli_name, f"Invalid JSON:\n{_shown(argument, raw)}", token.source_index(0))
    return _shorthand(argument, shape, raw, token, files)


def _json(argument: Argument, raw: str, token: Token) -> Any:
    try:
        return json.loads(raw)
    except ValueError as error:
        shown = MASK if argument.sensitive else raw
        position = token.source_index(getattr(error, "pos", 0))
        raise param_error(
            argument.cli_name, f"Invalid JSON: {error}\nJSON received: {shown}", position
        ) from None


_READERS: dict[str, Callable[[Argument, Shape, str, Token, Reader | None], Any]] = {
    "string": _string,
    "timestamp": _string,
    "integer": _integer,
    "long": _integer,
    "float": _float,
    "double": _float,
    "boolean": _boolean,
    "blob": _blob,
    "structure": _structure,
    "map": _structure,
    "list": _nested_list,
}


def decode_blobs(
    params: dict[str, Any], shape: Shape | None, position_of: Callable[[str], int | None]
) -> None:
    """Base64-decode every blob in `params`, in place, as AWS CLI v2 does by default.

    `position_of(member)` says where the top-level member's value was typed.
    """
    if shape is None:
        return
    for member, value in params.items():
        if member in shape.members:
            params[member] = _decoded(value, shape.members[member], position_of(member))


def _decoded(value: Any, shape: Shape, position: int | None) -> Any:
    kind = shape.type_name
    if kind == "blob" and isinstance(value, str):
        return _b64decode(value, shape, position)
    if kind == "structure" and isinstance(value, dict):
        return {
            key: _decoded(item, shape.members[key], position) if key in shape.members else item
            for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_decoded(item, shape.member, position) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _decoded(item, shape.value, position) for key, item in value.items()}
    return value


def _b64decode(value: str, shape: Shape, position: int | None) -> bytes:
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError):
        shown = MASK if shape.metadata.get("sensitive") else value
        raise general_error(f'Invalid base64: "{shown}"', position) from None
