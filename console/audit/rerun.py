"""Running a run again: always as the person who asks, with their own rights and fresh
credentials, through the normal submission path (console/runs/submission.py), so every
check, limit and guardrail applies to it as to a command typed in a terminal. The new run
records `rerun_of`.

What is re-run is the line as stored, which is redacted: a secret value in it was
replaced by `****` and was not kept for anyone but its own run. Such a line is refused,
never sent with the placeholder as the secret; editing it (the terminal, prefilled) is
the way to re-run it. "As is" means the same line at the same profile and region as the
original resolved: the terminal's environment (`export AWS_PROFILE=...`) is not the
re-runner's, so the profile and region the original used are written on the line as
`--profile`/`--region` (the line then says exactly what runs). "With another profile or
region" changes those; a field left blank keeps the original's.

`rerun <id>` in a terminal is expanded here into that line before it is recorded, as a
shell expands `!n`: the run is recorded, audited and guarded as the command it is, and
the terminal shows the line it runs."""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

from console.audit.access import runs_named, visible_run, visible_runs
from console.errors import ExitCode
from console.interpreter import CommandError, holds_redacted_value, set_global_options
from console.interpreter.tokenizer import tokenize
from console.runs import lifecycle, submission
from console.runs.errors import RunError
from console.runs.models import CommandRun
from credentials.clients import botocore_session
from credentials.profiles import profile_names

REDACTED_LINE = (
    "this command held a secret that was not kept; edit and re-run "
    "(the stored line shows **** where the secret was)"
)
REGION = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+-\d{1,2}$")
RUN_REF = re.compile(r"^[0-9a-f]{4,32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
COMPLETION_LIMIT = 50


class RerunRefused(RunError):
    """A re-run the console will not make; the message says what to do instead."""

    code = "rerun_refused"


class ChoiceRefused(RerunRefused):
    """A profile the person may not use, or a region that is not one."""


def usable_profiles(user: Any) -> list[str]:
    """The profiles `user` may choose for a re-run: their own, then the team profiles they
    may use now, as `<team>/<profile>` (what `aws configure list-profiles` shows them)."""
    return profile_names(user)


@lru_cache(maxsize=1)
def known_regions() -> tuple[str, ...]:
    """Every region of every partition botocore knows, for the re-run form's choices."""
    session = botocore_session()
    found = {r for p in session.get_available_partitions() for r in session.get_available_regions("ec2", p)}
    return tuple(sorted(found))


def rerun_line(
    original: CommandRun, *, command: str | None = None, profile: str = "", region: str = ""
) -> str:
    """The line a re-run of `original` runs: its stored line (or `command`, an edited
    one) with the profile and region set as the module docstring says."""
    edited = command is not None
    line = command if command is not None else original.command
    if holds_redacted_value(line):
        raise RerunRefused(REDACTED_LINE)
    if _rerun_words(line) is not None:  # only a refused `rerun` is stored as one
        raise RerunRefused("that run was a `rerun` the console refused; re-run the run it named")
    pins = {} if edited else _pins_of(original)
    pins.update({name: value for name, value in (("--profile", profile), ("--region", region)) if value})
    if not pins or not _is_aws_line(line):
        if profile or region:
            raise ChoiceRefused("only an aws command takes a profile or a region")
        return line
    try:
        return set_global_options(line, pins)
    except CommandError as exc:
        raise RerunRefused(exc.message.strip()) from None


def _pins_of(original: CommandRun) -> dict[str, str]:
    """The options that make a re-run use what the original resolved. A run whose keys came
    from its terminal's environment names no profile it could be pinned to."""
    pins = {}
    if original.profile and list(original.profile_chain) != ["environment"]:
        pins["--profile"] = original.profile
    if original.region:
        pins["--region"] = original.region
    return pins


def _is_aws_line(line: str) -> bool:
    try:
        tokens = tokenize(line)
    except CommandError:
        return False
    return bool(tokens) and tokens[0].text == "aws"


def check_choices(user: Any, profile: str, region: str) -> None:
    """Refuse a profile the user may not use, or a region that is not one."""
    if profile and profile not in usable_profiles(user):
        raise ChoiceRefused(f"you have no profile named {profile!r} (aws configure list-profiles)")
    if region and not REGION.match(region):
        raise ChoiceRefused(f"{region!r} is not a region name (like eu-west-1)")


def submit_rerun(
    user: Any,
    original: CommandRun,
    *,
    source: str,
    command: str | None = None,
    profile: str = "",
    region: str = "",
    terminal_id: str = "",
    cols: int | None = None,
    run_id: uuid.UUID | None = None,
) -> CommandRun:
    """Re-run `original` (which the caller has checked `user` may see) as `user`.
    Raises RerunRefused, recording nothing, when it cannot be re-run as asked."""
    check_choices(user, profile, region)
    line = rerun_line(original, command=command, profile=profile, region=region)
    return submission.submit_run(
        user,
        line,
        source=source,
        terminal_id=terminal_id,
        cols=cols or original.cols,
        run_id=run_id,
        rerun_of=original,
    )


def submit_line(
    user: Any,
    command: str,
    *,
    source: str,
    terminal_id: str = "",
    cols: int = 80,
    run_id: uuid.UUID | None = None,
    stdin: str | None = None,
    rerun_of: str | None = None,
    confirm: str = "",
) -> CommandRun:
    """A line typed in a terminal (or sent to the API): `rerun <id>` re-runs that run; a
    line with `rerun_of` is an edited re-run of that run (the terminal opened from a run
    page); anything else is submitted as it is. A re-run that cannot be made is recorded
    `rejected` with the reason, like a line that does not parse."""
    line = submission.check_command(command)
    try:
        words = _rerun_words(line)
        if words is not None:
            original = _referenced_run(user, words)
            return submit_rerun(
                user, original, source=source, terminal_id=terminal_id, cols=cols, run_id=run_id
            )
        edited_from = _edited_from(user, line, rerun_of) if rerun_of else None
        return submission.submit_run(
            user,
            command,
            source=source,
            terminal_id=terminal_id,
            cols=cols,
            stdin=stdin,
            run_id=run_id,
            rerun_of=edited_from,
            confirm=confirm,
        )
    except RerunRefused as exc:
        message = f"rerun: {exc.message}\n"
        return submission.reject_line(
            user,
            command,
            message,
            ExitCode.USAGE,
            source=source,
            terminal_id=terminal_id,
            cols=cols,
            run_id=run_id,
        )


def _edited_from(user: Any, line: str, rerun_of: str) -> CommandRun:
    """The run an edited line re-runs. An edit that left the placeholder in is refused
    like an unedited re-run of a line that held a secret."""
    original = visible_run(user, rerun_of)
    if original is None:
        lifecycle.log_denied(user, rerun_of, "rerun")
        raise RerunRefused("no such run to re-run")
    if holds_redacted_value(line):
        raise RerunRefused(REDACTED_LINE)
    return original


def _rerun_words(line: str) -> list[str] | None:
    """The words after `rerun`, when the line is a `rerun` (None for any other line)."""
    if not line.lstrip().startswith("rerun"):
        return None
    try:
        tokens = tokenize(line)
    except CommandError:
        return None
    if not tokens or tokens[0].text != "rerun":
        return None
    return [token.text for token in tokens[1:]]


def _referenced_run(user: Any, words: list[str]) -> CommandRun:
    if len(words) != 1:
        raise RerunRefused("usage: rerun <run id> (`history` lists them; Tab completes them)")
    ref = words[0].lower()
    if not RUN_REF.match(ref):
        raise RerunRefused(
            f"{words[0]!r} is not a run id: give the id `history` shows (4 or more of its characters)"
        )
    matches = runs_named(user, ref)
    if not matches:
        lifecycle.log_denied(user, ref, "rerun")
        raise RerunRefused(f"no run {ref} that you may see (`history` lists yours)")
    if len(matches) > 1:
        raise RerunRefused(f"several runs start with {ref}; give more of the id")
    return matches[0]


def complete_line(user: Any, line: str, cursor: int) -> list[str] | None:
    """The ids `rerun <Tab>` may take, newest first; None when the word under the cursor
    is not a `rerun` id (the interpreter completes everything else)."""
    words = _rerun_words(line[:cursor] + "x")  # "x" stands for the word being typed
    if words is None or len(words) != 1:
        return None
    prefix = words[0][:-1].lower()
    if not re.fullmatch(r"[0-9a-f]*", prefix):
        return []
    ids = visible_runs(user).order_by("-created_at").values_list("id", flat=True)[:COMPLETION_LIMIT]
    return [short for short in (pk.hex[:8] for pk in ids) if short.startswith(prefix)]
