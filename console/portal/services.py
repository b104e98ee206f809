"""What the portal does beyond one call of console.teams.services or credentials.services:
test a team profile with a real run, hand a team's ownership on, and save or delete a
personal profile the way the pages edit it (an empty secret field keeps the stored secret).

The test is a real run through console.runs.submission, like a command typed in the
terminal: recorded, audited, executed by a worker with the broker's own checks (the
admin's rights to the profile), and waited for as the API's `wait` waits."""

from __future__ import annotations

import shlex
from typing import Any

from django.conf import settings
from django.db import transaction

from console.portal.sections import team_address
from console.runs import reaper, submission
from console.runs.models import CommandRun, RunSource
from console.teams import services as teams
from console.teams.models import Membership, Role, Team
from credentials import cache
from credentials import services as profiles
from credentials.models import SECRET_KEYS, ConfigSection

TEST_COMMAND = "aws sts get-caller-identity --profile {profile}"


def test_command(section: ConfigSection) -> str:
    return TEST_COMMAND.format(profile=shlex.quote(team_address(section)))


def test_profile(user: Any, section: ConfigSection) -> CommandRun:
    """Run `aws sts get-caller-identity` with the team profile as `user`, and wait for it
    (at most CONSOLE_API_WAIT_SECONDS; a run still going then is returned as it is).
    Raises RunInputError / RunLimitReached as submit_run does."""
    run = submission.submit_run(user, test_command(section), source=RunSource.PORTAL)
    if not run.is_final:
        run = reaper.wait_for_final(run.pk, timeout=settings.CONSOLE_API_WAIT_SECONDS)
    return run


def hand_on(actor: Any, team: Team, new_owner: Membership, *, step_down: bool) -> None:
    """Make `new_owner` an owner and, if asked, the actor an admin: both or neither."""
    with transaction.atomic():
        teams.change_role(actor, new_owner, Role.OWNER)
        if step_down:
            mine = teams.membership_of(actor, team)
            if mine is not None:
                teams.change_role(actor, mine, Role.ADMIN)


class ProfileExists(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def save_personal_profile(
    user: Any, kind: str, name: str, values: dict[str, Any], *, section: ConfigSection | None
) -> ConfigSection:
    """Create (`section` None) or replace one of the user's sections. A secret sent as ""
    keeps the stored one; a secret left out is removed."""
    with transaction.atomic():
        if (
            section is None
            and ConfigSection.objects.filter(owner=user, team__isnull=True, kind=kind, name=name).exists()
        ):
            raise ProfileExists(f"You already have a {kind} named {name}: edit it instead.")
        stored = section.open_secrets() if section is not None else {}
        kept = {key: stored[key] for key, value in values.items() if value == "" and key in stored}
        values = {key: value for key, value in values.items() if value != "" or key not in SECRET_KEYS}
        return profiles.save_profile(user, name, {**values, **kept}, kind)


def delete_personal_profile(user: Any, section: ConfigSection) -> None:
    with transaction.atomic():
        section.delete()
    # Sessions built from it may be cached, as after any change to the user's profiles.
    cache.forget(user.pk)
