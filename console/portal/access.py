"""Loading what a page is about, for the user asking. A team or a team profile the user may
not see answers 404 exactly like one that does not exist, so nobody learns which slugs or
profiles exist; the refusal of an existing one is still logged and audited (rules.deny).
What a user may see but not change answers 403 (rules.require), in the console's look."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest

from console.teams import rules
from console.teams.models import Membership, Team
from credentials.models import ConfigSection


def team_for(request: HttpRequest, slug: str) -> Team:
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise Http404("no such team")
    if not request.user.has_perm("teams.view_team", team):
        rules.deny(request.user, "teams.view_team", team, request)
        raise Http404("no such team")
    return team


def team_section(request: HttpRequest, team: Team, section_id: uuid.UUID) -> ConfigSection:
    """A profile of `team` that the user may manage or use; 404 for anything else."""
    section = ConfigSection.objects.filter(pk=section_id, team=team).first()
    if section is None:
        raise Http404("no such profile")
    if not request.user.has_perm("teams.view_profile", section):
        rules.deny(request.user, "teams.view_profile", section, request)
        raise Http404("no such profile")
    return section


def team_membership(team: Team, membership_id: int) -> Membership:
    membership = Membership.objects.select_related("user").filter(pk=membership_id, team=team).first()
    if membership is None:
        raise Http404("no such member")
    return membership


def personal_section(request: HttpRequest, section_id: uuid.UUID) -> ConfigSection:
    section = ConfigSection.objects.filter(pk=section_id).first()
    if section is None or section.team_id is not None:
        raise Http404("no such profile")
    if section.owner_id != request.user.pk:
        rules.deny(request.user, "teams.use_profile", section, request)
        raise Http404("no such profile")
    return section
