"""`--query` with a bound on what it builds.

A JMESPath expression can double its result with a few characters: `[@, @]` builds a
two-item list of the same value, `[]` flattens it into a real list twice as long, so
`[*].[@,@][][@,@][]…` grows exponentially (a 109-character query printed 18 MB in 3 s).
The interpreter shares values instead of copying them, so memory grows with the list
slots it makes while the printed size grows with what the result *means*: both are
bounded, and before the formatter starts (json.dumps of a result that means 1 GB builds
1 GB).

- While the query runs, every list or map slot it fills, and every element a projection
  visits, costs 8 bytes (a slot is a pointer), counted as the lists grow; past the limit
  the search stops at once, so a doubling query stops after a few steps, before it has
  built anything large, and the memory of all the slots it made stays within the limit.
  Visiting is bounded by the same count: the only JMESPath steps that multiply are
  projections, and they are charged for every path.
- Before a function runs (`to_string`, `join` turn what they get into one string) and
  before the result goes to the formatter, the value's size is measured: its length as
  compact JSON, roughly (strings and keys by their length, other scalars as 4), a value
  shared twice counting twice because it prints twice. Large values are measured once
  (remembered by identity, kept alive so the identity stays theirs), so `[@, @]` nested
  fifty deep costs fifty steps, and the walk stops as soon as the size is past the limit.

Past either bound: `QueryTooLarge`. The limit is a parameter (the console reads it from
`CONSOLE_QUERY_MAX_BYTES`); `None` evaluates exactly as `jmespath` does. What a query picks
from the response unchanged is AWS's size and within it; a legitimate query over a large
response does linear work (`Reservations[].Instances[].[InstanceId, State.Name]` over
100,000 instances fills 400,000 slots, 3.2 MB of the default 16 MiB)."""

from __future__ import annotations

from typing import Any

from jmespath.parser import ParsedResult
from jmespath.visitor import TreeInterpreter

from .errors import QueryTooLarge

DEFAULT_QUERY_LIMIT = 16 * 1024 * 1024
# Values smaller than this are walked again rather than remembered: cheap, and it keeps
# the memo small on large responses.
_REMEMBER_FROM = 256
_SCALAR_SIZE = 4


class _Sizes:
    """Sizes of values, with an early stop: `of(value, room)` returns a number larger
    than `room` as soon as it knows the value does not fit, without walking the rest."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, int]] = {}

    def of(self, value: Any, room: int) -> int:
        if isinstance(value, str):
            return len(value) + 2
        if not isinstance(value, (list, dict)):
            return _SCALAR_SIZE
        known = self._known.get(id(value))
        if known is not None:
            return known[1]
        total = self._container(value, room)
        if _REMEMBER_FROM <= total <= room:
            self._known[id(value)] = (value, total)
        return total

    def _container(self, value: list[Any] | dict[Any, Any], room: int) -> int:
        total = 2
        if isinstance(value, list):
            for item in value:
                total += self.of(item, room - total) + 1
                if total > room:
                    return total
            return total
        for key, item in value.items():
            total += (len(key) if isinstance(key, str) else _SCALAR_SIZE) + 3
            total += self.of(item, room - total) + 1
            if total > room:
                return total
        return total


_SLOT_WORK = 8  # bytes of the pointer a slot holds


class _BoundedInterpreter(TreeInterpreter):  # type: ignore[misc]
    """jmespath's interpreter, with the slots it fills counted as it goes. The overridden visits
    keep jmespath 1.1's semantics (None results dropped from projections, None bases
    giving None); the query tests hold them to the CLI's."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit
        self._work = 0
        self._sizes = _Sizes()

    def _charge(self, units: int) -> None:
        self._work += units
        if self._work > self._limit:
            raise QueryTooLarge(self._limit)

    def check_size(self, value: Any) -> None:
        if self._sizes.of(value, self._limit) > self._limit:
            raise QueryTooLarge(self._limit)

    def _project(self, base: Any, node: Any) -> list[Any]:
        collected: list[Any] = []
        for element in base:
            # Charged per element visited, kept or not: a projection whose results are
            # all dropped still walks every path of what it projects.
            self._charge(_SLOT_WORK)
            current = self.visit(node, element)
            if current is not None:
                collected.append(current)
        return collected

    def visit_projection(self, node: Any, value: Any) -> Any:
        base = self.visit(node["children"][0], value)
        if not isinstance(base, list):
            return None
        return self._project(base, node["children"][1])

    def visit_value_projection(self, node: Any, value: Any) -> Any:
        base = self.visit(node["children"][0], value)
        if not isinstance(base, dict):
            return None
        return self._project(base.values(), node["children"][1])

    def visit_filter_projection(self, node: Any, value: Any) -> Any:
        base = self.visit(node["children"][0], value)
        if not isinstance(base, list):
            return None
        comparator = node["children"][2]
        kept = [element for element in base if self._is_true(self.visit(comparator, element))]
        return self._project(kept, node["children"][1])

    def visit_flatten(self, node: Any, value: Any) -> Any:
        base = self.visit(node["children"][0], value)
        if not isinstance(base, list):
            return None
        merged: list[Any] = []
        for element in base:
            items = element if isinstance(element, list) else (element,)
            self._charge(_SLOT_WORK * len(items))
            merged.extend(items)
        return merged

    def visit_multi_select_list(self, node: Any, value: Any) -> Any:
        if value is None:
            return None
        self._charge(_SLOT_WORK * len(node["children"]))
        return [self.visit(child, value) for child in node["children"]]

    def visit_multi_select_dict(self, node: Any, value: Any) -> Any:
        if value is None:
            return None
        self._charge(_SLOT_WORK * len(node["children"]))
        collected = self._dict_cls()
        for child in node["children"]:
            collected[child["value"]] = self.visit(child, value)
        return collected

    def visit_function_expression(self, node: Any, value: Any) -> Any:
        arguments = [self.visit(child, value) for child in node["children"]]
        for argument in arguments:
            self.check_size(argument)
        result = self._functions.call_function(node["value"], arguments)
        if isinstance(result, (list, dict)):
            self._charge(_SLOT_WORK * len(result))
        return result


def bounded_search(query: ParsedResult, data: Any, limit: int | None) -> Any:
    """`query.search(data)`, stopped with QueryTooLarge once its work or its result passes `limit`."""
    if limit is None:
        return query.search(data)
    interpreter = _BoundedInterpreter(limit)
    result = interpreter.visit(query.parsed, data)
    interpreter.check_size(result)
    return result
