"""The parameters a command accepts, derived from the operation's input shape.

Each input member becomes `--<xform_name(member, '-')>`, as in the CLI; booleans become a
`--flag` / `--no-flag` pair; the CLI's renames apply; paginated operations gain
`--starting-token`, `--page-size` and `--max-items` (their raw token parameters still work
and turn automatic pagination off, as in the CLI). Whether a parameter's value is
sensitive is decided here once, from the shapes botocore marks `sensitive`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any

from botocore import xform_name
from botocore.model import OperationModel, Shape

from . import catalog
from . import customizations as cz
from .rewrites import Custom, rewrite_for

# How an argument reads tokens: a single value, a list (every following value), a bare
# flag, or a flag that may be followed by a value (the CLI's `nargs='?'`).
SINGLE, LIST, FLAG, OPTIONAL = "single", "list", "flag", "optional"

PAGING_ARGUMENTS = ("starting-token", "page-size", "max-items")


@dataclass(frozen=True)
class Argument:
    name: str  # without the leading "--"
    arity: str
    member: str | None  # the input member it sets; None for paging arguments
    shape: Shape | None
    required: bool = False
    sensitive: bool = False
    flag_value: Any = None  # what a bare flag sets the member to
    group: str = ""  # arguments that set the same thing (--x / --no-x) share a group
    shadowed: Argument | None = None  # the model argument a paging argument hides
    bare_list_key: str | None = None  # `--instances i-1 i-2` means [{"InstanceId": "i-1"}, ...]
    custom: Custom | None = None  # a parameter the CLI adds to this command (rewrites.py)

    @property
    def cli_name(self) -> str:
        return "--" + self.name


@dataclass(frozen=True)
class OperationSpec:
    cli_service: str
    command: str
    service_name: str
    operation_name: str
    model: OperationModel
    arguments: dict[str, Argument]
    paginated: bool = False
    manual_paging: frozenset[str] = field(default_factory=frozenset)

    @property
    def sensitive(self) -> bool:
        return any(argument.sensitive for argument in self.arguments.values())


@functools.cache
def operation_spec(cli_service: str, command: str) -> OperationSpec:
    """The parameters of `aws <cli_service> <command>` (which must exist and be generated)."""
    entry = catalog.command_table(cli_service)[command]
    service_name = catalog.service_table()[cli_service]
    assert service_name is not None and entry.operation is not None
    model = catalog.operation_model(service_name, entry.operation)
    arguments = _model_arguments(model)
    arguments = _apply_split(arguments, entry)
    arguments = _apply_renames(arguments, cli_service, command)
    arguments = _apply_bare_lists(arguments, cli_service, command)
    arguments = _apply_rewrite(arguments, cli_service, command)
    if cli_service in cz.BOOLEAN_VALUE_FLAG_SERVICES:
        arguments = _pull_up_value_booleans(arguments)
    paging = catalog.paginator_config(service_name, entry.operation)
    manual: frozenset[str] = frozenset()
    if paging:
        arguments, manual = _add_paging_arguments(arguments, paging, model)
    return OperationSpec(
        cli_service, command, service_name, entry.operation, model, arguments, bool(paging), manual
    )


def _model_arguments(model: OperationModel) -> dict[str, Argument]:
    shape = model.input_shape
    if shape is None:
        return {}
    required = set(shape.required_members)
    arguments: dict[str, Argument] = {}
    for member, member_shape in shape.members.items():
        name = xform_name(member, "-")
        is_required = member in required and not member_shape.metadata.get("idempotencyToken")
        sensitive = contains_sensitive(member_shape)
        common = dict(member=member, shape=member_shape, sensitive=sensitive, group=name)
        if member_shape.type_name == "boolean":
            arguments[name] = Argument(name, FLAG, required=is_required, flag_value=True, **common)
            arguments["no-" + name] = Argument("no-" + name, FLAG, flag_value=False, **common)
        else:
            arity = LIST if member_shape.type_name == "list" else SINGLE
            arguments[name] = Argument(name, arity, required=is_required, **common)
    return arguments


def contains_sensitive(shape: Shape, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a value of this shape can hold anything botocore marks sensitive."""
    if shape.metadata.get("sensitive"):
        return True
    if shape.name in seen:
        return False
    seen = seen | {shape.name}
    if shape.type_name == "structure":
        return any(contains_sensitive(member, seen) for member in shape.members.values())
    if shape.type_name == "list":
        return contains_sensitive(shape.member, seen)
    if shape.type_name == "map":
        return contains_sensitive(shape.key, seen) or contains_sensitive(shape.value, seen)
    return False


def _rename(arguments: dict[str, Argument], old: str, new: str) -> dict[str, Argument]:
    """Rename as the CLI does: the argument moves to the end of the table."""
    renamed = dict(arguments)
    argument = renamed.pop(old)
    renamed[new] = replace(argument, name=new)
    return renamed


def _apply_split(arguments: dict[str, Argument], entry: catalog.Command) -> dict[str, Argument]:
    for old, new in entry.renames.items():
        arguments = _rename(arguments, old, new)
    return {name: arg for name, arg in arguments.items() if name not in entry.removed}


def _apply_renames(arguments: dict[str, Argument], cli_service: str, command: str) -> dict[str, Argument]:
    for name in list(arguments):
        new = cz.renamed_argument(cli_service, command, name)
        if new != name:
            arguments = _rename(arguments, name, new)
    return arguments


def _apply_rewrite(arguments: dict[str, Argument], cli_service: str, command: str) -> dict[str, Argument]:
    rewrite = rewrite_for(cli_service, command)
    if rewrite is None:
        return arguments
    result = {name: arg for name, arg in arguments.items() if name not in rewrite.removed}
    for name in rewrite.optional:
        result[name] = replace(result[name], required=False)
    for old, new in rewrite.renamed:
        result = _rename(result, old, new)
    for custom in rewrite.added:
        result[custom.name] = Argument(
            custom.name,
            custom.arity,
            member=None,
            shape=None,
            flag_value=custom.flag_value,
            group=custom.group or custom.name,
            custom=custom,
        )
    return result


def _apply_bare_lists(arguments: dict[str, Argument], cli_service: str, command: str) -> dict[str, Argument]:
    names = cz.BARE_LIST_ARGUMENTS.get(f"{cli_service}.{command}", ())
    result = dict(arguments)
    for name in names:
        argument = result.get(name)
        shape = argument.shape if argument is not None else None
        if argument is None or shape is None or shape.type_name != "list":
            continue
        members = list(shape.member.members) if shape.member.type_name == "structure" else []
        if len(members) == 1:
            result[name] = replace(argument, bare_list_key=members[0])
    return result


def _is_value_boolean(shape: Shape | None) -> bool:
    if shape is None or shape.type_name != "structure" or list(shape.members) != ["Value"]:
        return False
    return shape.members["Value"].type_name == "boolean"


def _pull_up_value_booleans(arguments: dict[str, Argument]) -> dict[str, Argument]:
    """`--ebs-optimized` / `--no-ebs-optimized` for `{"Value": true|false}` parameters."""
    result = dict(arguments)
    for name, argument in arguments.items():
        if argument.arity == SINGLE and _is_value_boolean(argument.shape):
            result[name] = replace(argument, arity=OPTIONAL, required=False, flag_value={"Value": True})
            result["no-" + name] = replace(
                argument, name="no-" + name, arity=FLAG, required=False, flag_value={"Value": False}
            )
    return result


def _add_paging_arguments(
    arguments: dict[str, Argument], paging: dict[str, Any], model: OperationModel
) -> tuple[dict[str, Argument], frozenset[str]]:
    tokens = paging["input_token"]
    manual = [xform_name(token, "-") for token in (tokens if isinstance(tokens, list) else [tokens])]
    names = [name for name in PAGING_ARGUMENTS if name != "page-size" or "limit_key" in paging]
    if "limit_key" in paging:
        manual.append(xform_name(paging["limit_key"], "-"))
    result = dict(arguments)
    for name in names:
        result[name] = Argument(name, SINGLE, None, None, group=name, shadowed=arguments.get(name))
    # As in the CLI, a model parameter named like --max-items does not turn pagination off.
    return result, frozenset(manual) - {"max-items"}
