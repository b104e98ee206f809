"""The authorization matrix through the pages and the API (tests/portal/matrix.py holds the
table): every object × action × role, each tried for real. A cell the table allows must
work (and have its effect); a cell it denies must answer a refusal (the login page or 401
for the anonymous, 403, or 404 where existence must not leak) and change nothing. The
websocket and running commands are in test_authorization_live.py (they need a worker)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from console.api.tokens import create_token
from console.runs.models import CommandRun, RunSource, RunStatus
from console.teams import elevations, services
from console.teams.models import Elevation, ElevationStatus, Grant, Membership, Role, Team
from console.workspace.service import Workspace
from credentials.models import ConfigSection
from tests.api.factories import make_run
from tests.conftest import _make_user
from tests.portal.conftest import CANARIES
from tests.portal.matrix import CAST, EXPECTED, ROLES, allowed

pytestmark = pytest.mark.django_db

REFUSALS = {"page": {403, 404}, "api": {403, 404}}
WRITES = {"create", "change", "delete", "use"}
ANONYMOUS_REFUSALS = {"page": {302}, "api": {401}}


@dataclass
class World:
    team: Team
    keys: ConfigSection
    readonly: ConfigSection
    erin: Any
    erin_grant: Grant
    run: CommandRun
    erin_elevation: Elevation


@pytest.fixture
def workspace_storage(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "workspace": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "workspace"), "allow_overwrite": True},
        },
    }


@pytest.fixture
def world(team, profiles, alice, bob, workspace_storage, settings) -> World:
    # The test button waits for its run; no worker runs in this table (the run, queued on
    # commit, never is), and the cell asks only that the run was recorded as the portal's.
    settings.CONSOLE_API_WAIT_SECONDS = 0.2
    erin = _make_user("erin")
    _make_user("frank")
    services.add_member(alice, team, "erin", Role.MEMBER)
    services.grant(alice, profiles.readonly, user=bob)
    erin_grant = services.grant(alice, profiles.readonly, user=erin)
    run = make_run(
        bob,
        command="aws sts get-caller-identity --profile platform/readonly",
        status=RunStatus.QUEUED,
        exit_code=None,
        finished_at=None,
        profile="platform/readonly",
        team=team,
        service="sts",
        operation="GetCallerIdentity",
    )
    bobs = Workspace(bob)
    bobs.write(bobs.locate("team/platform/plan.txt"), [TEAM_FILE])
    bobs.write(bobs.locate("notes.txt"), [PERSONAL_FILE])
    elevation = elevations.request_elevation(erin, profiles.readonly, "30m", "the release")
    return World(team, profiles.keys, profiles.readonly, erin, erin_grant, run, elevation)


@dataclass
class Answer:
    """Whether the attempt did what it asked (`done`), and the status it got."""

    done: bool
    status: int


Try = Callable[[Client, dict[str, Any], World], Answer]


def _page(response: Any, done: bool) -> Answer:
    return Answer(done and response.status_code in (200, 302), response.status_code)


# ---- the pages --------------------------------------------------------------------------


def page_get(url: Callable[[World], str], marker: Callable[[World], str]) -> Try:
    def attempt(client: Client, headers: dict[str, Any], w: World) -> Answer:
        response = client.get(url(w))
        return _page(response, response.status_code == 200 and marker(w) in response.content.decode())

    return attempt


def page_post(
    url: Callable[[World], str], data: Callable[[World], dict[str, Any]], effect: Callable[[World], bool]
) -> Try:
    def attempt(client: Client, headers: dict[str, Any], w: World) -> Answer:
        response = client.post(url(w), data(w))
        return _page(response, effect(w))

    return attempt


def _profile_url(section: str, suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/teams/platform/profiles/{getattr(w, section).pk}/{suffix}"


def _erin(w: World) -> Membership:
    return Membership.objects.get(team=w.team, user=w.erin)


PAGE: dict[tuple[str, str], Try] = {
    ("team", "list"): page_get(lambda w: "/teams/", lambda w: 'href="/teams/platform/"'),
    ("team", "view"): page_get(lambda w: "/teams/platform/", lambda w: "<h1>Platform</h1>"),
    ("team", "create"): page_post(
        lambda w: "/teams/",
        lambda w: {"slug": "new-team", "name": "New"},
        lambda w: Team.objects.filter(slug="new-team").exists(),
    ),
    ("team", "change"): page_post(
        lambda w: "/teams/platform/rename",
        lambda w: {"name": "Renamed"},
        lambda w: Team.objects.filter(name="Renamed").exists(),
    ),
    ("team", "delete"): page_post(
        lambda w: "/teams/platform/delete",
        lambda w: {"confirm": "platform"},
        lambda w: not Team.objects.filter(pk=w.team.pk).exists(),
    ),
    ("membership", "list"): page_get(lambda w: "/teams/platform/", lambda w: '<td class="mono">erin'),
    ("membership", "view"): page_get(lambda w: "/teams/platform/", lambda w: '<td class="mono">erin'),
    ("membership", "create"): page_post(
        lambda w: "/teams/platform/members",
        lambda w: {"username": "frank", "role": "member"},
        lambda w: Membership.objects.filter(team=w.team, user__username="frank").exists(),
    ),
    ("membership", "change"): page_post(
        lambda w: f"/teams/platform/members/{_erin(w).pk}/role",
        lambda w: {"role": "auditor"},
        lambda w: _erin(w).role == Role.AUDITOR,
    ),
    ("membership", "delete"): page_post(
        lambda w: f"/teams/platform/members/{Membership.objects.get(team=w.team, user=w.erin).pk}/remove",
        lambda w: {},
        lambda w: not Membership.objects.filter(team=w.team, user=w.erin).exists(),
    ),
    ("profile", "list"): page_get(lambda w: "/teams/platform/", lambda w: ">platform/readonly</a>"),
    ("profile", "view"): page_get(_profile_url("readonly"), lambda w: "role_arn"),
    ("profile", "create"): page_post(
        lambda w: "/teams/platform/profiles/new",
        lambda w: {"name": "made", "region": "eu-west-1"},
        lambda w: ConfigSection.objects.filter(team=w.team, name="made").exists(),
    ),
    ("profile", "change"): page_post(
        _profile_url("readonly", "edit"),
        lambda w: {
            "region": "eu-north-1",
            "role_arn": w.readonly.settings["role_arn"],
            "source_profile": "keys",
        },
        lambda w: ConfigSection.objects.get(pk=w.readonly.pk).settings.get("region") == "eu-north-1",
    ),
    ("profile", "delete"): page_post(
        _profile_url("readonly", "delete"),
        lambda w: {},
        lambda w: not ConfigSection.objects.filter(pk=w.readonly.pk).exists(),
    ),
    # "use" on a page is the profile's test button: a real run, recorded as the portal's.
    ("profile", "use"): page_post(
        _profile_url("readonly", "test"),
        lambda w: {},
        lambda w: CommandRun.objects.filter(source=RunSource.PORTAL).exists(),
    ),
    ("ungranted profile", "list"): page_get(lambda w: "/teams/platform/", lambda w: ">platform/keys</a>"),
    ("ungranted profile", "view"): page_get(_profile_url("keys"), lambda w: "aws_access_key_id"),
    ("ungranted profile", "use"): page_post(
        _profile_url("keys", "test"),
        lambda w: {},
        lambda w: CommandRun.objects.filter(source=RunSource.PORTAL).exists(),
    ),
    ("grant", "list"): page_get(lambda w: "/teams/platform/", lambda w: 'id="grants"'),
    ("grant", "view"): page_get(lambda w: "/teams/platform/", lambda w: f"/grants/{w.erin_grant.pk}/revoke"),
    ("grant", "create"): page_post(
        lambda w: "/teams/platform/grants",
        lambda w: {"profile": str(w.keys.pk), "grantee": "user:erin"},
        lambda w: Grant.objects.filter(profile=w.keys, user=w.erin).exists(),
    ),
    ("grant", "delete"): page_post(
        lambda w: f"/teams/platform/grants/{w.erin_grant.pk}/revoke",
        lambda w: {},
        lambda w: not Grant.objects.filter(pk=w.erin_grant.pk).exists(),
    ),
    # the run's page (console/audit): its command line is the page's title
    ("run", "view"): page_get(lambda w: f"/runs/{w.run.pk}", lambda w: 'id="run-title"'),
    ("elevation", "create"): page_post(
        lambda w: "/elevations/new",
        lambda w: {"profile": str(w.readonly.pk), "duration": "2h", "reason": "a hotfix"},
        lambda w: Elevation.objects.filter(reason="a hotfix").exists(),
    ),
    ("elevation", "list"): page_get(
        lambda w: "/elevations/", lambda w: f'href="/elevations/{w.erin_elevation.pk}"'
    ),
    ("elevation", "view"): page_get(
        lambda w: f"/elevations/{w.erin_elevation.pk}", lambda w: 'id="elevation-status"'
    ),
    ("elevation", "change"): page_post(
        lambda w: f"/elevations/{w.erin_elevation.pk}/decide",
        lambda w: {"decision": "approve", "reason": ""},
        lambda w: _elevation_status(w) == ElevationStatus.APPROVED,
    ),
    ("elevation", "delete"): page_post(
        lambda w: f"/elevations/{w.erin_elevation.pk}/end",
        lambda w: {},
        lambda w: _elevation_status(w) == ElevationStatus.ENDED,
    ),
}


def _elevation_status(w: World) -> str:
    return Elevation.objects.get(pk=w.erin_elevation.pk).status


def exported(path: Callable[[World], str]) -> Try:
    """An export (streamed): done when the run is among its records."""

    def attempt(client: Client, headers: dict[str, Any], w: World) -> Answer:
        response = client.get(path(w), headers=headers)
        if not response.streaming:
            return Answer(False, response.status_code)
        body = async_to_sync(_read)(response)
        for secret in CANARIES:
            assert secret not in body
        return Answer(response.status_code == 200 and str(w.run.pk) in body, response.status_code)

    return attempt


async def _read(response: Any) -> str:
    return b"".join([part async for part in response.streaming_content]).decode()


# The log lists the run under any filter that names it, and under none that names someone else.
PAGE[("run", "list")] = page_get(
    lambda w: "/audit/?team=platform&user=bob", lambda w: f'data-run-id="{w.run.pk}"'
)
PAGE[("run", "export")] = exported(lambda w: "/audit/export.jsonl?service=sts")
PAGE[("team events", "list")] = page_get(lambda w: "/audit/events", lambda w: "team:member:added")


# ---- the API ----------------------------------------------------------------------------


def api_call(
    method: str,
    path: Callable[[World], str],
    body: Callable[[World], dict[str, Any]] | None = None,
    effect: Callable[[World, Any], bool] = lambda w, r: True,
) -> Try:
    def attempt(client: Client, headers: dict[str, Any], w: World) -> Answer:
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs.update(data=body(w), content_type="application/json")
        response = getattr(client, method)(f"/api/v1/{path(w)}", **kwargs)
        for secret in CANARIES:
            assert secret not in response.content.decode()
        return Answer(response.status_code < 300 and effect(w, response), response.status_code)

    return attempt


TEAM_FILE = b"the team's plan\n"
PERSONAL_FILE = b"bob's own notes\n"


def files_call(method: str, path: str, content: bytes) -> Try:
    """The files endpoints (console/terminal/files.py) with the caller's token: `view`
    downloads `path` and must get `content`; `change` deletes it and it must be gone."""

    def attempt(client: Client, headers: dict[str, Any], w: World) -> Answer:
        if method == "get":
            response = client.get("/files/download", {"path": path}, headers=headers)
            done = response.status_code == 200 and b"".join(response) == content
        else:
            body = json.dumps({"path": path})
            response = client.post("/files/delete", body, content_type="application/json", headers=headers)
            bobs = Workspace(_bob())
            done = response.status_code == 200 and bobs.exists(bobs.locate(path)) is None
        if response.status_code != 200:
            assert content not in response.content
        return Answer(done, response.status_code)

    return attempt


def _bob() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="bob")


def _lists(key: str, field: str, value: str) -> Callable[[World, Any], bool]:
    return lambda w, r: value in [item[field] for item in r.json()[key]]


API: dict[tuple[str, str], Try] = {
    ("team", "list"): api_call("get", lambda w: "teams", effect=_lists("teams", "slug", "platform")),
    ("team", "view"): api_call("get", lambda w: "teams/platform"),
    ("team", "create"): api_call(
        "post",
        lambda w: "teams",
        lambda w: {"slug": "new-team", "name": "New"},
        lambda w, r: Team.objects.filter(slug="new-team").exists(),
    ),
    ("team", "change"): api_call(
        "patch",
        lambda w: "teams/platform",
        lambda w: {"name": "Renamed"},
        lambda w, r: Team.objects.filter(name="Renamed").exists(),
    ),
    ("team", "delete"): api_call(
        "delete",
        lambda w: "teams/platform",
        effect=lambda w, r: not Team.objects.filter(pk=w.team.pk).exists(),
    ),
    ("membership", "list"): api_call(
        "get", lambda w: "teams/platform/members", effect=_lists("members", "username", "erin")
    ),
    ("membership", "view"): api_call("get", lambda w: "teams/platform/members/erin"),
    ("membership", "create"): api_call(
        "post",
        lambda w: "teams/platform/members",
        lambda w: {"username": "frank", "role": "member"},
        lambda w, r: Membership.objects.filter(team=w.team, user__username="frank").exists(),
    ),
    ("membership", "change"): api_call(
        "patch",
        lambda w: "teams/platform/members/erin",
        lambda w: {"role": "auditor"},
        lambda w, r: _erin(w).role == Role.AUDITOR,
    ),
    ("membership", "delete"): api_call(
        "delete",
        lambda w: "teams/platform/members/erin",
        effect=lambda w, r: not Membership.objects.filter(user=w.erin).exists(),
    ),
    ("profile", "list"): api_call(
        "get", lambda w: "teams/platform/profiles", effect=_lists("profiles", "name", "readonly")
    ),
    ("profile", "view"): api_call("get", lambda w: "teams/platform/profiles/readonly"),
    ("profile", "create"): api_call(
        "post",
        lambda w: "teams/platform/profiles",
        lambda w: {"name": "made", "values": {"region": "eu-west-1"}},
        lambda w, r: ConfigSection.objects.filter(team=w.team, name="made").exists(),
    ),
    ("profile", "change"): api_call(
        "put",
        lambda w: "teams/platform/profiles/readonly",
        lambda w: {"values": {**w.readonly.settings, "region": "eu-north-1"}},
        lambda w, r: ConfigSection.objects.get(pk=w.readonly.pk).settings.get("region") == "eu-north-1",
    ),
    ("profile", "delete"): api_call(
        "delete",
        lambda w: "teams/platform/profiles/readonly",
        effect=lambda w, r: not ConfigSection.objects.filter(pk=w.readonly.pk).exists(),
    ),
    ("ungranted profile", "list"): api_call(
        "get", lambda w: "teams/platform/profiles", effect=_lists("profiles", "name", "keys")
    ),
    ("ungranted profile", "view"): api_call("get", lambda w: "teams/platform/profiles/keys"),
    ("grant", "list"): api_call(
        "get", lambda w: "teams/platform/grants", effect=_lists("grants", "user", "erin")
    ),
    ("grant", "view"): api_call("get", lambda w: f"teams/platform/grants/{w.erin_grant.pk}"),
    ("grant", "create"): api_call(
        "post",
        lambda w: "teams/platform/grants",
        lambda w: {"profile": "keys", "user": "erin"},
        lambda w, r: Grant.objects.filter(profile=w.keys, user=w.erin).exists(),
    ),
    ("grant", "delete"): api_call(
        "delete",
        lambda w: f"teams/platform/grants/{w.erin_grant.pk}",
        effect=lambda w, r: not Grant.objects.filter(pk=w.erin_grant.pk).exists(),
    ),
    ("run", "view"): api_call("get", lambda w: f"runs/{w.run.pk}"),
    ("team file", "view"): files_call("get", "team/platform/plan.txt", TEAM_FILE),
    ("team file", "change"): files_call("post", "team/platform/plan.txt", TEAM_FILE),
    ("personal file", "view"): files_call("get", "notes.txt", PERSONAL_FILE),
    ("personal file", "change"): files_call("post", "notes.txt", PERSONAL_FILE),
    ("run", "export"): exported(lambda w: "/api/v1/audit/export.csv?profile=platform/readonly"),
    ("run", "change"): api_call(
        "post",
        lambda w: f"runs/{w.run.pk}/cancel",
        effect=lambda w, r: CommandRun.objects.get(pk=w.run.pk).status == RunStatus.CANCELLED,
    ),
    ("elevation", "create"): api_call(
        "post",
        lambda w: "elevations",
        lambda w: {"profile": "platform/readonly", "duration": 90, "reason": "a hotfix"},
        lambda w, r: Elevation.objects.filter(reason="a hotfix").exists(),
    ),
    ("elevation", "list"): api_call(
        "get",
        lambda w: "elevations",
        effect=lambda w, r: w.erin_elevation.pk in [row["id"] for row in r.json()["elevations"]],
    ),
    ("elevation", "view"): api_call("get", lambda w: f"elevations/{w.erin_elevation.pk}"),
    ("elevation", "change"): api_call(
        "post",
        lambda w: f"elevations/{w.erin_elevation.pk}",
        lambda w: {"decision": "approve"},
        lambda w, r: _elevation_status(w) == ElevationStatus.APPROVED,
    ),
    ("elevation", "delete"): api_call(
        "delete",
        lambda w: f"elevations/{w.erin_elevation.pk}",
        effect=lambda w, r: _elevation_status(w) == ElevationStatus.ENDED,
    ),
}

CHANNELS = {"page": PAGE, "api": API}
CELLS = [(channel, cell, role) for channel, table in CHANNELS.items() for cell in table for role in ROLES]


def _caller(channel: str, role: str) -> tuple[Client, dict[str, Any]]:
    from django.contrib.auth import get_user_model

    if role == "anonymous":
        return Client(), {}
    user = get_user_model().objects.get(username=CAST[role])
    if channel == "api":
        return Client(enforce_csrf_checks=True), {"Authorization": f"Bearer {create_token(user)}"}
    client = Client()
    client.force_login(user)
    return client, {}


@pytest.mark.parametrize(
    ("channel", "cell", "role"), CELLS, ids=[f"{c}-{o}-{a}-{r}" for c, (o, a), r in CELLS]
)
def test_it_allows_exactly_what_the_table_says(world, channel, cell, role):
    client, headers = _caller(channel, role)
    answer = CHANNELS[channel][cell](client, headers, world)
    expected = allowed(*cell, role)
    assert answer.done == expected, (
        f"{role} {'could not' if expected else 'could'} {cell[1]} the {cell[0]} ({answer.status})"
    )
    if not expected and (cell[1] in WRITES or answer.status != 200):
        # A read may be refused by leaving the thing out of a page it may see (200); a
        # change must be refused as such, not fail on a form error and change nothing.
        refusals = ANONYMOUS_REFUSALS[channel] if role == "anonymous" else REFUSALS[channel]
        assert answer.status in refusals, f"{role} got {answer.status} for {cell}"


def test_every_cell_of_the_table_is_tried_through_some_channel():
    tried = {cell for table in CHANNELS.values() for cell in table}
    live = {("profile", "use"), ("ungranted profile", "use"), ("run", "follow"), ("run", "change")}
    assert set(EXPECTED) == tried | live
