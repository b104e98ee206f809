"""`--output text`: byte-for-byte the AWS CLI's tab-separated layout.

The rules, as the CLI applies them: a dict prints its scalar values (sorted by key) on one
tab-separated line, prefixed by the upper-cased key it was found under, then recurses into
its non-scalar values; a list of dicts prints one line per dict with the union of their
scalar keys as columns (missing ones empty); a list of scalars prints on one line, or one
`KEY\tvalue` line each when it sits under a key; a bare scalar prints on its own line.
Values print as Python's `str()` does (`True`, `None`), exactly as the CLI's do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import FormatError

if TYPE_CHECKING:
    from .formatters import FormatOptions


def format_text(data: Any, options: FormatOptions | None = None) -> str:
    lines: list[str] = []
    try:
        _emit(data, lines, None, None)
    except FormatError as exc:
        exc.partial = "".join(lines)
        raise
    return "".join(lines)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _emit(item: Any, lines: list[str], identifier: str | None, scalar_keys: list[str] | None) -> None:
    if isinstance(item, dict):
        _emit_dict(item, lines, identifier, scalar_keys)
    elif isinstance(item, list):
        _emit_list(item, lines, identifier)
    else:
        lines.append(f"{item!s}\n")


def _emit_list(items: list[Any], lines: list[str], identifier: str | None) -> None:
    if not items:
        return
    if any(isinstance(element, dict) for element in items):
        scalar_keys = _union_of_scalar_keys(items)
        for element in items:
            _emit(element, lines, identifier, scalar_keys)
    elif any(isinstance(element, list) for element in items):
        scalars = [element for element in items if _is_scalar(element)]
        if scalars:
            _emit_scalars(scalars, lines, identifier)
        for element in items:
            if not _is_scalar(element):
                _emit(element, lines, identifier, None)
    else:
        _emit_scalars(items, lines, identifier)


def _emit_scalars(items: list[Any], lines: list[str], identifier: str | None) -> None:
    if identifier is None:
        lines.append("\t".join(str(item) for item in items) + "\n")
        return
    label = identifier.upper()
    lines.extend(f"{label}\t{item!s}\n" for item in items)


def _emit_dict(
    item: dict[str, Any], lines: list[str], identifier: str | None, scalar_keys: list[str] | None
) -> None:
    if scalar_keys is None:
        ordered = sorted(item.items(), key=lambda pair: pair[0])
        scalars = [str(value) for _, value in ordered if _is_scalar(value)]
        nested = [(key, value) for key, value in ordered if not _is_scalar(value)]
    else:
        # Keys scalar in any sibling are columns here, even where this dict holds a list.
        scalars = [str(item.get(key, "")) for key in scalar_keys]
        nested = [(key, item[key]) for key in sorted(set(item) - set(scalar_keys))]
    if scalars:
        if identifier is not None:
            scalars.insert(0, identifier.upper())
        lines.append("\t".join(scalars) + "\n")
    for key, value in nested:
        _emit(value, lines, key, None)


def _union_of_scalar_keys(items: list[Any]) -> list[str]:
    keys: set[str] = set()
    for element in items:
        if not isinstance(element, dict):
            # The CLI fails here too (it calls `.items()` on every element).
            raise FormatError(f"'{type(element).__name__}' object has no attribute 'items'")
        keys.update(key for key, value in element.items() if _is_scalar(value))
    return sorted(keys)
