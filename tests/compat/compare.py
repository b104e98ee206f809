"""How a console answer is held against the oracle's.

json, text, table: stdout byte for byte, and the exit code. yaml and yaml-stream: v1, the
oracle, has neither, so the console's YAML is parsed (PyYAML, safe loader) and must equal
the oracle's JSON for the same line: the same data, with timestamps still strings (as v2
quotes them) and numbers still numbers; no output at all for an empty response.
yaml-stream wraps every response in a YAML list, one item per page as it arrives (aws-cli
PR #4711 that added it, and the v2 user guide's example), so the expectation is the
oracle's response inside a list. For a paginated operation the items are the raw pages:
the oracle is asked page by page (`--no-paginate`, following the paginator's own token,
`--page-size` as the operation's limit parameter) and `--query` is applied to each page
with jmespath, as v2 applies it, since the token must be read from the unqueried page. Errors: the
exit code as AWS CLI v2 documents it, and the whole of stderr with request ids masked,
except after a usage banner (v1's carries a note about v2): there the message line only.
"""

from __future__ import annotations

import functools
import json
import shlex
from typing import Any

import botocore.session
import jmespath
import yaml
from botocore import xform_name

from tests.compat.cases import EXACT, Case
from tests.compat.oracle import Oracle, Result, message_line, normalize_stderr

CLI_SERVICE_NAMES = {"s3api": "s3"}  # the CLI's names that differ from botocore's


def oracle_lines(case: Case, line: str) -> list[str]:
    """The oracle run whose answer decides the case (for a streamed yaml, its first page)."""
    if case.output in EXACT:
        return [line]
    words = _without(shlex.split(line), "--output")
    if case.output == "yaml-stream" and _streams_pages(words):
        words = [*_without(_without(words, "--query"), "--page-size"), *_page_size(words), "--no-paginate"]
    return [shlex.join(words)]


def _without(words: list[str], option: str) -> list[str]:
    if option not in words:
        return words
    at = words.index(option)
    return words[:at] + words[at + 2 :]


def _value(words: list[str], option: str) -> str | None:
    return words[words.index(option) + 1] if option in words else None


def _streams_pages(words: list[str]) -> bool:
    return paginator(words[1], words[2]) is not None and "--no-paginate" not in words


def _page_size(words: list[str]) -> list[str]:
    """`--page-size` as the operation's own limit parameter: v1 drops it with --no-paginate."""
    size = _value(words, "--page-size")
    if size is None:
        return []
    config = paginator(words[1], words[2])
    assert config is not None
    return [f"--{xform_name(config['limit_key'], '-')}", size]


@functools.cache
def paginator(cli_service: str, cli_operation: str) -> dict[str, Any] | None:
    session = botocore.session.get_session()
    name = CLI_SERVICE_NAMES.get(cli_service, cli_service)
    if name not in session.get_available_services():
        return None
    operations = session.get_service_model(name).operation_names
    operation = next((op for op in operations if xform_name(op, "-") == cli_operation), None)
    try:
        return dict(session.get_paginator_model(name).get_paginator(operation)) if operation else None
    except ValueError:  # the operation does not paginate
        return None


def check(case: Case, line: str, got: Result, oracle: Oracle) -> None:
    (oracle_line,) = oracle_lines(case, line)
    want = oracle.run(oracle_line)
    assert got.exit_code == want.exit_code, (
        f"exit code {got.exit_code}, CLI v2: {want.exit_code}\n{got.stderr}"
    )
    if want.exit_code != 0:
        _check_error(got, want)
    elif case.output in EXACT:
        assert got.stdout == want.stdout
    else:
        assert _parsed_yaml(got.stdout) == _expected_yaml(case, line, oracle_line, want.stdout, oracle)


def _check_error(got: Result, want: Result) -> None:
    assert got.stdout == want.stdout
    if "usage:" in want.stderr:  # v1's usage banner carries a note about v2: the message only
        assert message_line(got.stderr) == message_line(want.stderr)
    else:
        assert normalize_stderr(got.stderr) == normalize_stderr(want.stderr)


def _parsed_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise AssertionError(f"the console's output is not YAML ({error}):\n{text}") from error


def _expected_yaml(case: Case, line: str, oracle_line: str, answer: str, oracle: Oracle) -> Any:
    value = json.loads(answer) if answer else None
    if case.output == "yaml" or value is None:
        return value
    words = shlex.split(line)
    if not _streams_pages(words):
        return [value]
    return [_query(words, page) for page in _pages(words, oracle_line, value, oracle)]


def _pages(words: list[str], first_line: str, page: dict[str, Any], oracle: Oracle) -> list[Any]:
    """Every raw page, following the service's own token as v2's paginator does."""
    config = paginator(words[1], words[2])
    assert config is not None and isinstance(config["input_token"], str), "one-token paginators only"
    token_option = f"--{xform_name(config['input_token'], '-')}"
    pages = [page]
    while token := jmespath.search(config["output_token"], pages[-1]):
        token_text = token if isinstance(token, str) else json.dumps(token)
        pages.append(
            json.loads(oracle.run(shlex.join([*shlex.split(first_line), token_option, token_text])).stdout)
        )
    return pages


def _query(words: list[str], page: dict[str, Any]) -> Any:
    """v2 applies --query to each page; the raw pages were asked without it, for the token."""
    expression = _value(words, "--query")
    return page if expression is None else jmespath.search(expression, page)
