"""Reading and writing the AWS CLI's `config` and `credentials` files (INI), so people can
paste or upload what they already have and download their config back. Django-free.

Parsing follows botocore's rules: `[default]` and `[profile name]` are profiles,
`[sso-session name]` and `[services name]` their own kinds; in the credentials file every
section is a profile. A key with an empty value followed by indented `key = value` lines
is a nested block (the `s3 =` or `[services]` style). Secrets are never written back out."""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from typing import Any

KIND_PREFIXES = {"profile": "profile", "sso-session": "sso-session", "services": "services"}


class ConfigFileError(ValueError):
    """The text is not a valid INI file; the message says where."""


@dataclass
class ParsedFiles:
    # (kind, name) -> values, in file order
    sections: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def _parser(text: str, what: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(interpolation=None, strict=False, default_section="\0none")
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    try:
        parser.read_string(text, source=what)
    except configparser.Error as exc:
        raise ConfigFileError(f"The {what} file could not be read: {exc.message}") from None
    return parser


def _values(items: list[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in items:
        if raw.startswith("\n"):
            nested: dict[str, str] = {}
            for line in raw.strip().splitlines():
                sub_key, sep, sub_value = line.partition("=")
                if sep:
                    nested[sub_key.strip()] = sub_value.strip()
            values[key] = nested
        else:
            values[key] = raw.strip()
    return values


def parse_config(text: str) -> ParsedFiles:
    parsed = ParsedFiles()
    parser = _parser(text, "config")
    for header in parser.sections():
        kind, name = _kind_and_name(header)
        if kind is None:
            parsed.ignored.append(header)
            continue
        parsed.sections.setdefault((kind, name), {}).update(_values(parser.items(header)))
    return parsed


def parse_credentials(text: str, into: ParsedFiles | None = None) -> ParsedFiles:
    parsed = into or ParsedFiles()
    parser = _parser(text, "credentials")
    for header in parser.sections():
        parsed.sections.setdefault(("profile", header.strip()), {}).update(_values(parser.items(header)))
    return parsed


def _kind_and_name(header: str) -> tuple[str | None, str]:
    header = header.strip()
    if header == "default":
        return "profile", "default"
    prefix, _, name = header.partition(" ")
    name = name.strip().strip("'\"")
    if prefix in KIND_PREFIXES and name:
        return KIND_PREFIXES[prefix], name
    return None, header


def section_header(kind: str, name: str) -> str:
    if kind == "profile":
        return "default" if name == "default" else f"profile {name}"
    return f"{kind} {name}"


def render_config(sections: list[tuple[str, str, dict[str, Any]]]) -> str:
    """The config file for (kind, name, non-secret values) sections."""
    blocks = []
    for kind, name, values in sections:
        lines = [f"[{section_header(kind, name)}]"]
        for key, value in values.items():
            if isinstance(value, dict):
                lines.append(f"{key} =")
                lines.extend(f"  {sub} = {sub_value}" for sub, sub_value in value.items())
            else:
                lines.append(f"{key} = {value}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
