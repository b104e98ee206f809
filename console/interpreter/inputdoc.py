"""`--cli-input-json` / `--cli-input-yaml` and `--generate-cli-skeleton`, as the CLI does them.

An input document fills in the parameters the command line does not give (explicit
parameters win, key by key at the top level, as in the CLI), and like the CLI it switches
off the required-parameter check: botocore's validator reports what is still missing when
the worker calls. A `file://` document is read through the caller's reader (the user's
workspace; the server's own files are never read). YAML
anchors and aliases are refused, because a few lines of aliases expand into a document
too large to validate or send (the "billion laughs").

Skeletons are computed here, without AWS: the input skeleton has placeholder values
(the first enum value where the CLI picks one at random, so that a re-run prints the same
text), the output skeleton has each member's name as its value.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

import yaml
from botocore.model import Shape

from .errors import CommandError, param_error, usage_error
from .paramfiles import Reader, is_file_value, load_text
from .tokenizer import Token
from .values import MASK

SKELETON_CHOICES = ("input", "output", "yaml-input")
INPUT_OPTIONS = ("--cli-input-json", "--cli-input-yaml")
_EPOCH = datetime.datetime(1970, 1, 1)


def load_input(option: str, value: Token, shown: str, files: Reader | None = None) -> dict[str, Any]:
    """The mapping a `--cli-input-json|yaml` value holds (inline, or in a `file://`);
    `shown` is what errors echo."""
    text, start = value.text, value.source_index(0)
    if is_file_value(text):
        text = load_text(text, files, option, start)
        value = Token(text, value.start, value.end, ())
        shown = MASK if shown == MASK else text
    data = _load_yaml(option, value) if option.endswith("yaml") else _load_json(option, value, shown)
    if not isinstance(data, dict):
        kind = "YAML" if option.endswith("yaml") else "JSON"
        raise param_error(
            option, f"Invalid {kind}: the input must be a mapping of parameter names to values", start
        )
    return data


def _load_json(option: str, value: Token, shown: str) -> Any:
    try:
        return json.loads(value.text)
    except ValueError as error:
        position = value.source_index(getattr(error, "pos", 0))
        raise param_error(option, f"Invalid JSON: {error}\nJSON received: {shown}", position) from None
    except RecursionError:
        raise param_error(
            option, "Invalid JSON: the document is nested too deeply", value.source_index(0)
        ) from None


def _load_yaml(option: str, value: Token) -> Any:
    try:
        for event in yaml.parse(value.text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                where = value.source_index(event.start_mark.index)
                raise param_error(option, "Invalid YAML: anchors and aliases are not accepted", where)
        return yaml.safe_load(value.text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        position = value.source_index(mark.index if mark is not None else 0)
        raise param_error(option, f"Invalid YAML: {error}", position) from None
    except RecursionError:
        raise param_error(
            option, "Invalid YAML: the document is nested too deeply", value.source_index(0)
        ) from None


def merge_input(parameters: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The CLI's merge: document keys the command line did not give."""
    merged = dict(parameters)
    for key, value in document.items():
        merged.setdefault(key, value)
    return merged


def refuse_both(first: str, second: str, position: int) -> CommandError:
    return usage_error(f"argument {second}: not allowed with argument {first}", position)


# -- skeletons -------------------------------------------------------------------------------


def skeleton_text(mode: str, input_shape: Shape | None, output_shape: Shape | None) -> str:
    if mode == "output":
        data = sample(output_shape, member_names=True) if output_shape is not None else {}
        return json.dumps(data, indent=4, default=_encode) + "\n"
    data = sample(input_shape, member_names=False) if input_shape is not None else {}
    if mode == "yaml-input":
        return yaml_skeleton(input_shape, data)
    return json.dumps(data, indent=4, default=_encode) + "\n"


def _encode(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def sample(shape: Shape, member_names: bool, name: str = "", stack: list[str] | None = None) -> Any:
    """botocore's ArgumentGenerator skeleton, with a fixed choice for enums."""
    stack = [] if stack is None else stack
    stack.append(shape.name)
    try:
        kind = shape.type_name
        if kind == "structure":
            if stack.count(shape.name) > 1:
                return {}
            return {key: sample(member, member_names, key, stack) for key, member in shape.members.items()}
        if kind == "list":
            return [sample(shape.member, member_names, shape.member.name if member_names else "", stack)]
        if kind == "map":
            return {"KeyName": sample(shape.value, member_names, "", stack)}
        return _scalar_sample(shape, member_names, name)
    finally:
        stack.pop()


def _scalar_sample(shape: Shape, member_names: bool, name: str) -> Any:
    kind = shape.type_name
    if kind == "string":
        if member_names:
            return name
        return shape.enum[0] if shape.enum else ""
    if kind in ("integer", "long"):
        return 0
    if kind in ("float", "double"):
        return 0.0
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return _EPOCH
    return None  # blobs: the CLI leaves them null


def yaml_skeleton(shape: Shape | None, data: Any) -> str:
    """YAML input skeleton: each member with its type, `[REQUIRED]` and valid values as comments."""
    if shape is None or not data:
        return "{}\n"
    lines: list[str] = []
    _yaml_members(shape, data, 0, lines)
    return "\n".join(lines) + "\n"


def _yaml_members(shape: Shape, data: dict[str, Any], indent: int, lines: list[str]) -> None:
    required = set(shape.required_members)
    for key, value in data.items():
        member = shape.members[key]
        note = _yaml_comment(member, key in required)
        prefix = " " * indent + f"{_yaml_plain('str', key)}:"  # `NULL:` would read back as null
        _yaml_value(prefix, member, value, indent, note, lines)


def _yaml_value(prefix: str, shape: Shape, value: Any, indent: int, note: str, lines: list[str]) -> None:
    if isinstance(value, dict) and value and shape.type_name == "structure":
        lines.append(f"{prefix}  # {note}")
        _yaml_members(shape, value, indent + 2, lines)
    elif isinstance(value, dict) and value and shape.type_name == "map":
        lines.append(f"{prefix}  # {note}")
        _yaml_value(
            " " * (indent + 2) + "KeyName:",
            shape.value,
            value["KeyName"],
            indent + 2,
            _yaml_comment(shape.value, False),
            lines,
        )
    elif isinstance(value, list) and value and shape.type_name == "list":
        lines.append(f"{prefix}  # {note}")
        _yaml_value(
            " " * (indent + 2) + "-",
            shape.member,
            value[0],
            indent + 4,
            _yaml_comment(shape.member, False),
            lines,
        )
    else:
        lines.append(f"{prefix} {_yaml_scalar(value)}  # {note}")


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"  # only empty ones reach here
    return _yaml_plain(type(value).__name__, value)


@functools.lru_cache(maxsize=1024)
def _yaml_plain(kind: str, value: Any) -> str:
    """A scalar as YAML writes it (skeleton values repeat, so each is dumped once)."""
    dumped = yaml.safe_dump(value, default_flow_style=True, width=1 << 20).strip()
    return dumped.removesuffix("\n...").strip()


def _yaml_comment(shape: Shape, required: bool) -> str:
    parts = ["[REQUIRED]"] if required else []
    parts.append(shape.type_name)
    enum = shape.metadata.get("enum")
    if enum:
        parts.append("Valid values are: " + ", ".join(enum))
    return " ".join(parts)
