"""`guard elevate` and `guard elevations` for the worker's builtins: the provider the teams
app registers with console/commands/elevation.py (the commands layer may not import this
one). The rules are console/teams/elevations.py's; this module only turns their answers
into terminal lines, and a profile the user may not use into the CLI's "could not be
found", as for any command."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from console.commands.elevation import ElevationRefused
from console.teams.elevations import (
    NotVisible,
    address,
    decidable_by,
    link,
    of_user,
    request_elevation,
    spoken,
    still_open,
)
from console.teams.errors import TeamError
from console.teams.models import Elevation, ElevationStatus
from credentials.models import ConfigSection, SectionKind


class TerminalElevations:
    """`guard elevate` and `guard elevations`, for the worker's builtins."""

    def request(self, user: Any, profile: str, duration: str, reason: str) -> str:
        slug, _, name = profile.partition("/")
        section = ConfigSection.objects.select_related("team").filter(
            team__slug=slug, kind=SectionKind.PROFILE, name=name
        )
        found = section.first() if slug and name else None
        try:
            if found is None:
                raise NotVisible("teams.use_profile")
            made = request_elevation(user, found, duration, reason)
        except NotVisible:
            # As the CLI answers a profile that does not exist, for one the user may not use.
            raise ElevationRefused(f"The config profile ({profile}) could not be found") from None
        except TeamError as exc:
            raise ElevationRefused(exc.message) from None
        return (
            f"elevation: asked for Write on {address(made)} for {spoken(made.minutes)}; "
            f"an owner or admin of {made.team.slug} decides at {link(made)} "
            f"(it waits up to {settings.CONSOLE_APPROVAL_MINUTES} min)\n"
        )

    def listing(self, user: Any) -> str:
        now = timezone.now()
        mine = of_user(user).filter(still_open())
        lines = [_line(row, now) for row in mine.order_by("created_at")]
        lines += [
            f"{_line(row, now)} (waits for your decision)"
            for row in decidable_by(user).order_by("created_at")
        ]
        return "".join(f"{line}\n" for line in lines) or "No pending or active elevation.\n"


def _line(row: Elevation, now: Any) -> str:
    if row.status == ElevationStatus.APPROVED and row.ends_at is not None:
        left = max(1, int((row.ends_at - now).total_seconds() // 60))
        state = f"active until {row.ends_at:%Y-%m-%d %H:%M} UTC ({spoken(left)} left)"
    else:
        state = "pending"
    who = row.requester.get_username()
    return f"{link(row)}  {address(row)}  {who}  {spoken(row.minutes)}  {state}: {row.reason}"
