"""`--output table`: byte-for-byte the AWS CLI's tables.

Building: the operation name titles the first section; a dict's scalar keys (sorted) become
one header row and one value row (a single scalar key prints as a `key | value` row); each
non-scalar value opens a nested section titled by its key, indented one level; a list of
dicts shares one header of the union of their scalar keys, and when they have nested
values each element repeats the section so its children follow it.

Rendering: every section is as wide as the widest one; columns share that width in
proportion to their content. When that is wider than the terminal, single-row sections
turn vertical (`header | value` rows) and widths are computed again; the CLI does no other
wrapping, so a table can still be wider than the terminal, exactly as the CLI prints it.
Widths count East Asian wide and ambiguous characters as two columns, like the CLI.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import FormatError

if TYPE_CHECKING:
    from .formatters import FormatOptions

# The CLI's colorama styles for `--color on`: bright blue values, dim yellow indentation bars.
_VALUE_STYLE = ("\x1b[1m\x1b[34m", "\x1b[0m")
_BAR_STYLE = ("\x1b[2m\x1b[33m", "\x1b[0m")


def text_width(text: Any) -> int:
    if not isinstance(text, str):
        text = str(text)  # a header taken from a list mixed into a list of dicts
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def format_table(data: Any, options: FormatOptions | None = None) -> str:
    title = options.title if options is not None else ""
    width = options.width if options is not None else 80
    color = options.color if options is not None else False
    sections: list[Section] = []
    try:
        if not _build(sections, title, data, 0):
            return ""
    except (TypeError, AttributeError, IndexError, KeyError) as exc:
        # Shapes the CLI's table builder fails on (lists mixing dicts with other values):
        # the same failure, with the message the CLI prints.
        raise FormatError(str(exc)) from exc
    return _render(sections, width, color)


class Section:
    __slots__ = ("title", "indent", "headers", "rows", "num_cols", "widths")

    def __init__(self, title: str | None, indent: int) -> None:
        self.title = title
        self.indent = indent
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.num_cols: int | None = None
        self.widths: list[int] = []

    def add_header(self, headers: list[str]) -> None:
        self._widen(headers)
        if self.num_cols is None:
            self.num_cols = len(headers)
        self.headers = headers

    def add_row(self, values: list[Any]) -> None:
        if self.num_cols is None:
            self.num_cols = len(values)
        if len(values) != self.num_cols:
            raise FormatError(f"Row should have {self.num_cols} elements, instead it has {len(values)}")
        row = [str(value) for value in values]
        self.rows.append(row)
        self._widen(row)

    def _widen(self, cells: list[str]) -> None:
        if not self.widths:
            self.widths = [text_width(cell) for cell in cells]
            return
        if len(cells) > len(self.widths):
            raise IndexError("list index out of range")  # where the CLI's table fails too
        for index, cell in enumerate(cells):
            cell_width = text_width(cell)
            if cell_width > self.widths[index]:
                self.widths[index] = cell_width

    def total_width(self) -> int:
        # A missing (None) title still counts as the four characters of "None", as in the CLI.
        outer = 2 * self.indent
        columns = sum(width + 4 for width in self.widths) + 2 + outer
        return max(text_width(str(self.title)) + 2 + outer, columns)

    def column_widths(self, total: int) -> list[int]:
        """Scale the padded content widths so they add up to `total` exactly."""
        unscaled = [width + 4 for width in self.widths]
        if not unscaled:
            return []
        factor = total / float(sum(unscaled))
        scaled = [int(round(factor * width)) for width in unscaled]
        off_by = sum(scaled) - total
        while off_by != 0:
            order = range(len(scaled)) if off_by > 0 else reversed(range(len(scaled)))
            for index in order:
                step = 1 if off_by > 0 else -1
                scaled[index] -= step
                off_by -= step
                if off_by == 0:
                    break
        return scaled


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _build(sections: list[Section], title: str | None, current: Any, indent: int) -> bool:
    if not current:
        return False
    if title is not None:
        sections.append(Section(title, indent))
    if isinstance(current, list):
        _build_from_list(sections, title, current, indent)
    elif isinstance(current, dict):
        _build_from_dict(sections, current, indent)
    return True


def _build_from_list(sections: list[Section], title: str | None, current: list[Any], indent: int) -> None:
    if isinstance(current[0], dict):
        _build_from_list_of_dicts(sections, title, current, indent)
        return
    for item in current:
        if _is_scalar(item):
            _section(sections).add_row([item])
        elif all(_is_scalar(element) for element in item):
            _section(sections).add_row(list(item))
        else:
            # The CLI recurses here at indent level 0, whatever the depth.
            _build(sections, None, item, 0)


def _build_from_dict(sections: list[Section], current: dict[str, Any], indent: int) -> None:
    headers, nested = _split_keys(current)
    if len(headers) == 1:
        _section(sections).add_row([headers[0], current[headers[0]]])
    elif headers:
        _section(sections).add_header(headers)
        _section(sections).add_row([current[key] for key in headers])
    for key in nested:
        _build(sections, key, current[key], indent + 1)


def _build_from_list_of_dicts(
    sections: list[Section], title: str | None, current: list[Any], indent: int
) -> None:
    headers_seen: set[Any] = set()
    nested_seen: set[Any] = set()
    for element in current:
        headers, nested = _split_keys(element)
        headers_seen.update(headers)
        nested_seen.update(nested)
    headers, nested = sorted(headers_seen), sorted(nested_seen)
    _section(sections).add_header(headers)
    for position, element in enumerate(current):
        if position and nested:
            sections.append(Section(title, indent))
            sections[-1].add_header(headers)
        sections[-1].add_row([element.get(key, "") for key in headers])
        for key in nested:
            if key in element:
                _build(sections, key, element[key], indent + 1)


def _split_keys(current: Any) -> tuple[list[Any], list[Any]]:
    # Written with plain indexing, as the CLI's is, so that a list mixing dicts with other
    # values behaves (or fails) exactly as it does there.
    headers = sorted(key for key in current if _is_scalar(current[key]))
    nested = sorted(key for key in current if not _is_scalar(current[key]))
    return headers, nested


def _section(sections: list[Section]) -> Section:
    if not sections:
        # Only reachable with a title of None at the top, which the CLI never passes.
        sections.append(Section(None, 0))
    return sections[-1]


def _render(sections: list[Section], terminal_width: int, color: bool) -> str:
    width = max(section.total_width() for section in sections)
    if width > terminal_width:
        sections = [_vertical(section) for section in sections]
        width = max(section.total_width() for section in sections)
    lines = ["-" * width + "\n"]
    bar = _styled("|", _BAR_STYLE) if color else "|"
    value_style: Callable[[str], str] = (lambda cell: _styled(cell, _VALUE_STYLE)) if color else str
    for section in sections:
        indent = bar * section.indent
        for line in _render_section(section, width - 2 * section.indent, value_style):
            lines.append(f"{indent}{line}{indent}\n")
    return "".join(lines)


def _styled(text: str, style: tuple[str, str]) -> str:
    return style[0] + text + style[1]


def _vertical(section: Section) -> Section:
    if len(section.rows) != 1 or not section.headers:
        return section
    turned = Section(section.title, section.indent)
    for header, value in zip(section.headers, section.rows[0], strict=False):
        turned.add_row([header, value])
    return turned


def _render_section(section: Section, width: int, value_style: Callable[[str], str]) -> list[str]:
    lines: list[str] = []
    if section.title:
        lines.append(_center(section.title, width, "|", "|"))
        if not section.headers and not section.rows:
            lines.append("+" + "-" * (width - 2) + "+")
    widths = tuple(section.column_widths(width)) if section.headers or section.rows else ()
    if section.headers:
        lines.append(_line_break(widths))
        lines.append(
            "".join(
                _center(header, column, "|" if index == 0 else "", "|")
                for index, (column, header) in enumerate(zip(widths, section.headers, strict=False))
            )
        )
    if section.rows:
        if widths:
            lines.append(_line_break(widths))
            lines.extend(_render_row(row, widths, value_style) for row in section.rows)
            lines.append(_line_break(widths))
    return lines


def _render_row(row: list[str], widths: tuple[int, ...], value_style: Callable[[str], str]) -> str:
    return "".join(
        _align_left(value_style(cell), text_width(cell), column, "|" if index == 0 else "")
        for index, (column, cell) in enumerate(zip(widths, row, strict=False))
    )


# Nested sections repeat for every element of a list, so their borders and titles repeat too.
@functools.lru_cache(maxsize=1024)
def _line_break(widths: tuple[int, ...]) -> str:
    parts = ["+" + "-" * (widths[0] - 2) + "+"]
    parts.extend("-" * (width - 1) + "+" for width in widths[1:])
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _center(text: str, length: int, left: str, right: str) -> str:
    text_length = text_width(text)
    start = (length // 2) - (text_length // 2) - 1
    so_far = len(left) + start + text_length
    return left + " " * start + text + " " * (length - len(right) - so_far) + right


def _align_left(text: str, text_length: int, length: int, left: str) -> str:
    padding = 2 if length - (text_length + 2 + len(left) + 1) >= 0 else 0
    return left + " " * padding + text + " " * (length - (len(left) + padding + text_length) - 1) + "|"
