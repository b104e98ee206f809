"""The guardrail check of one AWS command: its access level against the policy of the
profile it names, decided in the worker before any request of the command is sent.

The broker calls `Check` with the profile the command names (after `--profile` and
AWS_PROFILE; a source_profile chain is decided by the named profile) before it fetches a
credential (credentials/broker.py's gate), so a refused command sends nothing at all, not
even its AssumeRole. Allow runs it; deny refuses it; confirm asks the person to type the
profile's name (the terminal's prompt; an API client's `confirm` field, read from its run
by the context's guardrail), and anything else refuses it. Approve lets the run through
once its own approval for this profile is used (the worker's `approval`); without one it
notes the request in the run's record and stops with `ApprovalNeeded`, and the worker
leaves the run `awaiting_approval` (console/runs/approvals.py). A refusal is noted in the
run's record and raises `GuardrailRefused`, which the command reports as any failure; the
worker then ends the run `rejected` with that reason (console/runs/execution.py).

The check audits every deny and every confirmation outcome through the context's
`guardrail` (the worker's writes the audit log; this layer may not import it) before the
command goes on, so an outcome that cannot be recorded stops the command.

A member who may use the profile only through read-only grants (`Profile.read_only`)
meets at least the "read-only" preset there, whatever the profile's own policy says: the
stricter decision of the two, level by level. Where the broker assumes a role AWS refuses
a write for them as well (the session policy, credentials/broker.py); with SSO role
credentials or static keys this check is what holds (docs/guardrails.md).

A member's active just-in-time elevation of the profile (`Profile.elevation`, brought by
the broker's one query; console/teams/elevations.py) answers `approve` in advance for
Write and Tagging commands and lifts a read-only grant for them: the check tells the
broker so (its return value), which then asks AWS for no read-only session. `confirm`
still asks, `deny` still refuses, and Permissions management is decided as without it.

Refused with 254, the code of an AWS service error, as AWS's own AccessDenied would be:
a script that handles AWS refusing it handles the console refusing it the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from botocore import xform_name

from console.commands.context import CommandContext
from console.commands.record import Pending
from console.engine.access_levels import AccessLevel, Classification, classify, classify_s3
from console.engine.policies import ELEVATED_LEVELS, PRESETS, Decision, at_least, decide
from console.errors import ConsoleError, ExitCode
from console.interpreter import Invocation, S3Command
from credentials.profiles import Profile


class Guardrail(Protocol):
    """What the check needs from the run it guards (console/runs/execution.py)."""

    def sent_confirmation(self) -> str | None:
        """The confirmation sent with the run (an API client's `confirm`, "" when it sent
        none); None when the person is asked in their terminal instead."""

    def audit(self, outcome: str, data: Mapping[str, Any]) -> None:
        """Record `outcome` ("denied", "confirmed", "unconfirmed") in the audit log."""

    def approval(self, profile: str) -> str:
        """Whether the run has an approval for `profile`: "approved" (used now, once),
        "expired" (approved, but it ran out before the run started), "" (none yet), or
        "impossible" (a run nobody can approve: the portal's test button)."""


class GuardrailRefused(ConsoleError):
    """The profile's policy refused the command; nothing was sent."""

    exit_code = ExitCode.SERVICE


class ApprovalNeeded(GuardrailRefused):
    """The command stops here until another person approves it; the run says so (its
    waiting line, console/runs/approvals.py), so the command itself writes nothing."""

    def __init__(self) -> None:
        super().__init__("", leading_newline=False)


def classification_of(parsed: Invocation | S3Command) -> Classification:
    if isinstance(parsed, S3Command):
        return classify_s3(parsed)
    return classify(parsed.service_name, parsed.operation_name)


def command_words(parsed: Invocation | S3Command) -> str:
    """The command as the CLI spells it: `aws iam attach-user-policy`, `aws s3 mv`."""
    if isinstance(parsed, S3Command):
        return f"aws s3 {parsed.name}"
    return f"aws {parsed.cli_service} {xform_name(parsed.operation_name, '-')}"


@dataclass(frozen=True)
class Check:
    """The gate the broker calls for one command (credentials.broker.Gate)."""

    ctx: CommandContext
    parsed: Invocation | S3Command

    def __call__(self, profile: Profile | None) -> bool:
        """Go on, refuse or stop for approval; True when the command goes on through the
        profile's elevation beyond a read-only grant (the broker then asks AWS for no
        read-only session)."""
        if profile is None or not (profile.policy or profile.read_only or profile.elevation):
            return False  # no policy set: allowed, as before policies existed
        level = classification_of(self.parsed).level
        elevated = elevates(profile, level)
        policy = effective_policy(profile, level)
        decision = decide(policy, level) if policy else Decision.ALLOW
        if decision == Decision.DENY:
            self._audit("denied", profile, level)
            self._refuse(f"guardrail: {level} denied on {profile.name}")
            raise GuardrailRefused(self._denied(profile, level))
        if decision == Decision.CONFIRM:
            self._confirm(profile, level)
        if decision == Decision.APPROVE and not elevated:
            self._approved(profile, level)
        if elevated and (decision == Decision.APPROVE or profile.read_only):
            self._audit("elevated", profile, level, elevation=profile.elevation, decision=str(decision))
        return elevated and profile.read_only

    def _approved(self, profile: Profile, level: str) -> None:
        """Through once the run's own approval for this profile is used; otherwise the run
        asks for one (a team profile) or is refused (nobody to approve it)."""
        guardrail = self.ctx.guardrail
        answer = guardrail.approval(profile.name) if guardrail is not None else "impossible"
        if answer == "approved":
            return
        if answer == "" and profile.team_id is not None:
            pending = Pending(profile.name, profile.team_id, (str(level),), command_words(self.parsed))
            self.ctx.record.awaits_approval(pending)
            raise ApprovalNeeded()
        why = {
            "expired": "its approval expired before it started",
            "impossible": "nobody can approve it from here",
        }.get(answer, "only a team profile has approvers")
        self._refuse(f"guardrail: {level} needs approval on {profile.name}; {why}")
        raise GuardrailRefused(
            f"guardrail: {command_words(self.parsed)} is {level}; profile {profile.name} needs another "
            f"person's approval, and {why}: nothing was sent\n"
        )

    def _confirm(self, profile: Profile, level: str) -> None:
        answer = self._answer(profile, level)
        if answer is None or answer.strip() != profile.name:
            self._audit("unconfirmed", profile, level)
            self._refuse(f"guardrail: {level} not confirmed on {profile.name}")
            raise GuardrailRefused(
                f"guardrail: {command_words(self.parsed)} is {level}; profile {profile.name} needs "
                f"its name typed to run it, and {_answered(answer)}: nothing was sent\n"
            )
        self._audit("confirmed", profile, level)

    def _answer(self, profile: Profile, level: str) -> str | None:
        guardrail = self.ctx.guardrail
        sent = guardrail.sent_confirmation() if guardrail is not None else None
        if sent is not None:
            return sent
        self.ctx.write(
            "stderr",
            f"guardrail: {command_words(self.parsed)} is {level}; profile {profile.name} asks you to "
            "confirm it.\n",
        )
        return self.ctx.ask(f"Type the profile name ({profile.name}) to run it: ")

    def _denied(self, profile: Profile, level: str) -> str:
        who = "ask a team admin" if profile.team else "change the profile's policy"
        if profile.read_only and not elevates(profile, AccessLevel(level)):
            who = "your grant is read-only; ask a team admin"
        return (
            f"guardrail: {command_words(self.parsed)} is {level}; profile {profile.name} denies it ({who})\n"
        )

    def _refuse(self, reason: str) -> None:
        self.ctx.record.refused(reason)

    def _audit(self, outcome: str, profile: Profile, level: str, **more: Any) -> None:
        if self.ctx is None or self.ctx.guardrail is None:
            return  # a context outside a run (a test's): there is no run to audit
        data: dict[str, Any] = {
            "profile": profile.name,
            "level": str(level),
            "command": command_words(self.parsed),
            **more,
        }
        if profile.team_id is not None:
            data["team_id"] = profile.team_id
        if profile.read_only and not elevates(profile, AccessLevel(level)):
            data["read_only_grant"] = True  # the decision was the grant's, not the profile's
        self.ctx.guardrail.audit(outcome, data)


def elevates(profile: Profile | None, level: AccessLevel | None) -> bool:
    """Whether the user's active elevation of `profile` covers a command of `level`: it
    gives Write (and Tagging, a lesser change), never Permissions management."""
    return profile is not None and profile.elevation is not None and level in ELEVATED_LEVELS


def effective_policy(profile: Profile | None, level: AccessLevel | None = None) -> dict[str, Any]:
    """The policy the check applies to a command of `level`: the profile's own, at least
    "read-only" for a member whose use is read-only, unless their elevation covers the
    level (then the profile's own, whose `approve` the elevation answers)."""
    if profile is None:
        return {}
    if profile.read_only and not elevates(profile, level):
        return at_least(profile.policy, PRESETS["read-only"])
    return dict(profile.policy)


def _answered(answer: str | None) -> str:
    if answer is None:
        return "no answer came"
    return "the answer was empty" if not answer.strip() else "the answer did not match"
