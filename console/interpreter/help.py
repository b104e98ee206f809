"""`aws help`, `aws <service> help`, `aws <service> <operation> help`, rendered from the models.

The CLI renders its help from the same botocore documentation, through reStructuredText
and a pager. A browser terminal has neither, so the HTML in the models is reduced to
wrapped plain text in the CLI's section layout (NAME, DESCRIPTION, SYNOPSIS, OPTIONS,
OUTPUT). Names are resolved exactly as a command line resolves them, so an unknown name
gets the same message here as when it is run.

What the models do not say (an operation's IAM access level, from console/engine) is
added by the caller through `extra`: sections rendered after the CLI's, in their layout.
"""

from __future__ import annotations

import functools
import html
import re
import textwrap
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

from botocore.model import Shape

from . import catalog, shorthand
from . import customizations as cz
from .arguments import FLAG, Argument, OperationSpec, operation_spec
from .errors import CommandError, console_error
from .globalopts import GLOBAL_OPTIONS, refusal
from .inputdoc import SKELETON_CHOICES
from .parser import resolve_command, resolve_service
from .tokenizer import Token

_INDENT = 7
_SUB = 10
_MAX_OUTPUT_DEPTH = 4

_GLOBAL_HELP = {
    "--debug": "Show the request flow, with credentials, signatures and tokens redacted.",
    "--endpoint-url": "Send the request to this URL instead of the service's default endpoint "
    "(only hosts that an administrator allows).",
    "--no-paginate": "Make one call only, instead of fetching every page of the results.",
    "--output": "The formatting style of the output.",
    "--query": "A JMESPath query to filter the response data.",
    "--profile": "Use a specific profile from your configuration.",
    "--region": "The region to use. Overrides the profile and environment settings.",
    "--color": "Turn on/off color output.",
    "--cli-read-timeout": "The maximum socket read time in seconds (0 waits forever). Default 60.",
    "--cli-connect-timeout": "The maximum socket connect time in seconds (0 waits forever). Default 60.",
    "--no-cli-pager": "Accepted for compatibility; the terminal does not page output.",
    "--cli-binary-format": "How blob values are given: base64 (the default) or raw-in-base64-out.",
}

_HANDWRITTEN = {
    ("configure",): (
        "Configure your AWS settings: profiles, regions, output format. Without a subcommand, "
        "prompts for the common settings of a profile.",
        ["list", "list-profiles", "get", "set", "export-credentials", "sso"],
    ),
    ("sso", "login"): (
        "Sign in to IAM Identity Center (SSO) for a profile or an sso-session, with the device "
        "authorization flow, and keep the token on the server for later commands.",
        [],
    ),
    ("sso", "logout"): (
        "Remove the IAM Identity Center (SSO) tokens and the role credentials obtained with them.",
        [],
    ),
}


class _TextExtractor(HTMLParser):
    """Paragraphs of plain text from the models' HTML documentation."""

    _BLOCKS = frozenset(
        {"p", "div", "ul", "ol", "note", "important", "dl", "dt", "dd", "h1", "h2", "h3", "br"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skip = 0

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "fullname":
            self.skip += 1
        elif tag == "li":
            self.flush()
            self.current.append("* ")
        elif tag in self._BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "fullname":
            self.skip = max(0, self.skip - 1)
        elif tag == "li" or tag in self._BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)


@functools.lru_cache(maxsize=4096)
def doc_paragraphs(documentation: str) -> tuple[str, ...]:
    """The paragraphs of an HTML documentation string, as plain text."""
    if not documentation:
        return ()
    extractor = _TextExtractor()
    try:
        extractor.feed(documentation)
        extractor.close()
    except Exception:  # malformed HTML in a model must not break help
        return (html.unescape(re.sub(r"<[^>]+>", " ", documentation)).strip(),)
    extractor.flush()
    return tuple(extractor.paragraphs)


class _Page:
    def __init__(self, width: int) -> None:
        self.width = max(width, 30)
        self.lines: list[str] = []

    def section(self, title: str) -> None:
        if self.lines:
            self.lines.append("")
        self.lines.append(title)

    def text(self, text: str, indent: int = _INDENT) -> None:
        prefix = " " * indent
        wrapped = textwrap.wrap(text, self.width - indent, break_long_words=True, break_on_hyphens=False)
        self.lines.extend(prefix + line for line in wrapped or [""])

    def paragraphs(self, documentation: str, indent: int = _INDENT) -> None:
        for k, paragraph in enumerate(doc_paragraphs(documentation)):
            if k:
                self.lines.append("")
            self.text(paragraph, indent)

    def raw(self, line: str, indent: int = _INDENT) -> None:
        """A line kept as written where it fits; wrapped at spaces (never inside a word) where not."""
        prefix = " " * indent
        if len(prefix) + len(line) <= self.width:
            self.lines.append(prefix + line)
            return
        wrapped = textwrap.wrap(
            line, self.width - indent, break_long_words=False, break_on_hyphens=False, subsequent_indent="  "
        )
        self.lines.extend(prefix + part for part in wrapped or [""])

    def blank(self) -> None:
        self.lines.append("")

    def render(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


# A section the caller adds to an operation's page: (title, lines). A line is shown as
# written (its own leading spaces indent it further); "" is a blank line.
HelpSection = tuple[str, Sequence[str]]
# (botocore service name, operation name) -> the sections to add after OUTPUT.
ExtraSections = Callable[[str, str], Sequence[HelpSection]]


def render_help(args: tuple[str, ...], width: int = 80, extra: ExtraSections | None = None) -> str:
    """Help text for `aws help` (no args), a service, or an operation; raises CommandError.
    `extra` adds sections to an operation's page."""
    page = _Page(width)
    if not args:
        _top_level(page)
    elif tuple(args[:2]) in _HANDWRITTEN or tuple(args[:1]) == ("configure",):
        _handwritten(page, args)
    elif args[0] == "topics":
        raise console_error("help topics are not available in this console; see `aws help`")
    elif len(args) == 1:
        _service(page, _service_name(args[0]))
    else:
        service = _service_name(args[0])
        _operation(page, service, _command_name(service, args[1]), extra)
    return page.render()


def _without_position(error: CommandError) -> CommandError:
    error.position = None
    return error


def _service_name(word: str) -> str:
    try:
        return resolve_service(Token(word, 0, len(word), tuple(range(len(word)))))
    except CommandError as error:
        raise _without_position(error) from None


def _command_name(service: str, word: str) -> str:
    if service == "sso" and word in cz.SSO_BUILTIN_COMMANDS:
        return word
    try:
        return resolve_command(service, Token(word, 0, len(word), tuple(range(len(word)))))
    except CommandError as error:
        raise _without_position(error) from None


def _top_level(page: _Page) -> None:
    page.section("NAME")
    page.raw("aws -")
    page.section("DESCRIPTION")
    page.text(
        "The AWS Command Line Interface, run by this console on the server with your console "
        "identity. Type `aws <command> help` for a service and `aws <command> <subcommand> help` "
        "for an operation."
    )
    page.section("SYNOPSIS")
    page.raw("aws [options] <command> <subcommand> [parameters]")
    page.section("GLOBAL OPTIONS")
    for name, option in GLOBAL_OPTIONS.items():
        if refusal(option, 0) is not None:
            continue
        kind = "(boolean)" if not option.takes_value else "(integer)" if option.integer else "(string)"
        page.raw(f"{name} {kind}")
        page.text(_GLOBAL_HELP.get(name, ""), _SUB)
        for choice in option.choices:
            page.raw(f"o {choice}", _SUB + 2)
        page.blank()
    page.section("AVAILABLE SERVICES")
    for name in ["configure", *_visible_services()]:
        page.raw(f"o {name}")


def _visible_services() -> list[str]:
    return sorted(catalog.visible_services())


def _service(page: _Page, cli_service: str) -> None:
    botocore_name = catalog.service_table()[cli_service]
    assert botocore_name is not None
    model = catalog.service_model(botocore_name)
    page.section("NAME")
    page.raw(f"{cli_service} -")
    page.section("DESCRIPTION")
    page.paragraphs(model.documentation)
    page.section("AVAILABLE COMMANDS")
    for name in service_commands(cli_service):
        page.raw(f"o {name}")


def service_commands(cli_service: str) -> list[str]:
    """The commands of a service that help and completion offer, sorted."""
    names = {
        name
        for name, entry in catalog.command_table(cli_service).items()
        if entry.operation and not entry.hidden
    }
    if cli_service == "sso":
        names |= cz.SSO_BUILTIN_COMMANDS
    return sorted(names)


def _handwritten(page: _Page, args: tuple[str, ...]) -> None:
    key = tuple(args[:2]) if tuple(args[:2]) in _HANDWRITTEN else ("configure",)
    description, subcommands = _HANDWRITTEN[key]
    page.section("NAME")
    page.raw(" ".join(args) + " -")
    page.section("DESCRIPTION")
    page.text(description)
    if subcommands:
        page.section("AVAILABLE COMMANDS")
        for name in subcommands:
            page.raw(f"o {name}")


def _operation(page: _Page, cli_service: str, command: str, extra: ExtraSections | None) -> None:
    if cli_service == "sso" and command in cz.SSO_BUILTIN_COMMANDS:
        _handwritten(page, ("sso", command))
        return
    spec = operation_spec(cli_service, command)
    _operation_sections(page, spec, command)
    for title, lines in extra(spec.service_name, spec.operation_name) if extra is not None else ():
        page.section(title)
        for line in lines:
            if line:
                page.raw(line)
            else:
                page.blank()


def _operation_sections(page: _Page, spec: OperationSpec, command: str) -> None:
    page.section("NAME")
    page.raw(f"{command} -")
    page.section("DESCRIPTION")
    page.paragraphs(spec.model.documentation)
    page.section("SYNOPSIS")
    page.raw(f"  {command}", _INDENT)
    for argument in _documented(spec.arguments.values()):
        usage = argument.cli_name if argument.arity == FLAG else f"{argument.cli_name} <value>"
        page.raw(usage if argument.required else f"[{usage}]", _INDENT + 2)
    page.raw("[--cli-input-json | --cli-input-yaml]", _INDENT + 2)
    page.raw("[--generate-cli-skeleton <value>]", _INDENT + 2)
    page.section("OPTIONS")
    for argument in _documented(spec.arguments.values()):
        _option(page, argument)
    _special_options(page)
    page.section("OUTPUT")
    output = spec.model.output_shape
    if output is None or not output.members:
        page.raw("None")
        return
    for name, member in output.members.items():
        _output_member(page, name, member, _INDENT, [])


def _documented(arguments: object) -> list[Argument]:
    """Arguments as the CLI documents them: a --no-flag is listed with its --flag."""
    return [a for a in arguments if not (a.arity == FLAG and a.flag_value is False)]  # type: ignore[attr-defined]


def _option(page: _Page, argument: Argument) -> None:
    shape = argument.shape
    kind = shape.type_name if shape is not None else _unmodelled_type(argument)
    required = " (required)" if argument.required else ""
    page.raw(f"{argument.cli_name} ({kind}){required}")
    if shape is not None:
        page.paragraphs(shape.documentation, _SUB)
        _enum(page, shape)
        hint = shorthand.example(shape) if shorthand.supports_shorthand(shape) else ""
        if hint and argument.bare_list_key is None:
            page.blank()
            page.raw("Shorthand Syntax:", _SUB)
            for line in hint.splitlines():
                page.raw(line, _SUB + 3)
    elif argument.name in _PAGING_HELP:
        page.text(_PAGING_HELP[argument.name], _SUB)
    page.blank()


def _unmodelled_type(argument: Argument) -> str:
    if argument.custom is not None:
        return {"flag": "boolean", "list": "list"}.get(argument.arity, "string")
    return "string" if argument.name == "starting-token" else "integer"


_PAGING_HELP = {
    "starting-token": "A token to specify where to start paginating: the NextToken from a "
    "previously truncated response.",
    "page-size": "The size of each page to get in the AWS service call. This does not affect the "
    "number of items returned in the command's output.",
    "max-items": "The total number of items to return in the command's output. If more are "
    "available, a NextToken is provided.",
}


def _enum(page: _Page, shape: Shape) -> None:
    values = shape.metadata.get("enum")
    if shape.type_name == "list":
        values = shape.member.metadata.get("enum")
    if values:
        page.blank()
        page.raw("Possible values:", _SUB)
        for value in values:
            page.raw(f"o {value}", _SUB + 3)


def _special_options(page: _Page) -> None:
    page.raw("--cli-input-json | --cli-input-yaml (string)")
    page.text(
        "Reads arguments from the JSON (or YAML) string provided, in the format that "
        "--generate-cli-skeleton prints. Values given on the command line override it.",
        _SUB,
    )
    page.blank()
    page.raw("--generate-cli-skeleton (string)")
    page.text(
        "Prints a skeleton without sending an API request: `input` (the default) for "
        "--cli-input-json, `yaml-input` for --cli-input-yaml, `output` for the response.",
        _SUB,
    )
    page.raw("Possible values: " + ", ".join(SKELETON_CHOICES), _SUB)


def _output_member(page: _Page, name: str, shape: Shape, indent: int, stack: list[str]) -> None:
    page.raw(f"{name} -> ({shape.type_name})" if name else f"({shape.type_name})", indent)
    page.paragraphs(shape.documentation, indent + 3)
    if shape.name in stack or len(stack) >= _MAX_OUTPUT_DEPTH:
        return
    inner = [*stack, shape.name]
    if shape.type_name == "structure":
        for member_name, member in shape.members.items():
            page.blank()
            _output_member(page, member_name, member, indent + 3, inner)
    elif shape.type_name == "list":
        page.blank()
        _output_member(page, "", shape.member, indent + 3, inner)
    elif shape.type_name == "map":
        page.blank()
        page.raw(f"key -> ({shape.key.type_name})", indent + 3)
        page.blank()
        _output_member(page, "value", shape.value, indent + 3, inner)
