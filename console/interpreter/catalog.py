"""What commands exist: botocore's models, named as the AWS CLI names them.

Models are read once per process through one botocore loader restricted to botocore's
bundled data, so what a command means never depends on files in the server's home
directory. Every table built from them is cached; parsing a line afterwards is dict
lookups.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore import xform_name
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

from . import customizations as cz


@dataclass(frozen=True)
class Command:
    """One entry of a service's command table."""

    name: str
    operation: str | None  # botocore operation name; None for a hand-written CLI command
    hidden: bool = False
    renames: dict[str, str] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()


T = TypeVar("T")

# One lock for every table: a worker runs several commands at once, and four cold runs of
# the same service would otherwise each load its model (a second of CPU for ec2, held in
# long json decodes), starving the threads that heartbeat for the runs.
_building = threading.RLock()


def once(build: Callable[..., T]) -> Callable[..., T]:
    """functools.cache, but a table is built once even when threads ask for it together."""
    cached = functools.cache(build)

    @functools.wraps(build)
    def lookup(*args: Any) -> T:
        with _building:
            return cached(*args)

    lookup.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return lookup


@functools.cache
def loader() -> Loader:
    return Loader(extra_search_paths=[Loader.BUILTIN_DATA_PATH], include_default_search_paths=False)


@once
def _botocore_services() -> tuple[str, ...]:
    return tuple(loader().list_available_services("service-2"))


@once
def service_table() -> dict[str, str | None]:
    """CLI command name -> botocore service name (None for hand-written top-level commands),
    in the order of the CLI's own table (see `cz.APPENDED_TOP_LEVEL_ORDER`)."""
    services = _botocore_services()
    table: dict[str, str | None] = {name: name for name in services if name not in cz.SERVICE_RENAMES}
    appended = _appended_commands(services)
    order = {name: at for at, name in enumerate(cz.APPENDED_TOP_LEVEL_ORDER)}
    for name in sorted(appended, key=lambda name: (order.get(name, len(order)), name)):
        table[name] = appended[name]
    return table


def _appended_commands(services: tuple[str, ...]) -> dict[str, str | None]:
    """What the CLI's handlers add to the generated table: renamed services, the hidden
    alias, the hand-written commands."""
    appended: dict[str, str | None] = {
        cz.SERVICE_RENAMES[name]: name for name in services if name in cz.SERVICE_RENAMES
    }
    appended.update(cz.HIDDEN_SERVICE_ALIASES)
    appended.update(dict.fromkeys(cz.CUSTOM_TOP_LEVEL_COMMANDS))
    appended[cz.CONFIGURE_COMMAND] = None
    return appended


def visible_services() -> list[str]:
    hidden = cz.HIDDEN_SERVICES | cz.PREVIEW_SERVICES | set(cz.HIDDEN_SERVICE_ALIASES)
    return [
        name
        for name, botocore_name in service_table().items()
        if botocore_name is not None and name not in hidden
    ]


@once
def service_model(botocore_name: str) -> ServiceModel:
    return ServiceModel(loader().load_service_model(botocore_name, "service-2"), botocore_name)


def operation_model(botocore_name: str, operation: str) -> OperationModel:
    return service_model(botocore_name).operation_model(operation)


def _optional_model(botocore_name: str, type_name: str) -> dict[str, Any]:
    api_version = service_model(botocore_name).api_version
    try:
        return loader().load_service_model(botocore_name, type_name, api_version)
    except DataNotFoundError:
        return {}


@once
def _paginators(botocore_name: str) -> dict[str, Any]:
    return _optional_model(botocore_name, "paginators-1").get("pagination", {})


def paginator_config(botocore_name: str, operation: str) -> dict[str, Any] | None:
    return _paginators(botocore_name).get(operation)


@once
def has_waiters(botocore_name: str) -> bool:
    return bool(_optional_model(botocore_name, "waiters-2").get("waiters"))


@once
def command_table(cli_service: str) -> dict[str, Command]:
    """The CLI's command table for a service, in the CLI's order (model order, then extras)."""
    botocore_name = service_table()[cli_service]
    assert botocore_name is not None
    removed = cz.REMOVED_OPERATIONS.get(cli_service, frozenset())
    table = {
        cli_name: Command(cli_name, operation)
        for operation in service_model(botocore_name).operation_names
        if (cli_name := xform_name(operation, "-")) not in removed
    }
    for alias, operation in cz.HIDDEN_OPERATION_ALIASES.get(cli_service, {}).items():
        table[alias] = Command(alias, operation, hidden=True)
    for name, (operation, renames, dropped) in cz.SPLIT_OPERATIONS.get(cli_service, {}).items():
        table.pop(xform_name(operation, "-"), None)
        table[name] = Command(name, operation, renames=renames, removed=dropped)
    for name in cz.CUSTOM_COMMANDS.get(cli_service, ()):
        table[name] = Command(name, None)
    if has_waiters(botocore_name):
        table["wait"] = Command("wait", None)
    return table
