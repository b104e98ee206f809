"""The authorization matrix, as data: for every object and action, the roles that may.
One table serves every channel (pages, API, websocket), so the channels cannot drift
apart; tests/portal/test_authorization_matrix.py and tests/portal/test_authorization_live.py
try every cell as every role and allow nothing the table does not.

The cast (tests/teams/conftest.py, plus two): Alice owns `platform`, Dana is its admin, Bob
a member with a grant to `platform/readonly` (not to `platform/keys`), Carol its auditor,
Charlie an outsider; an anonymous visitor has no session or token. Erin is a member who is
the target of membership and grant changes (so nobody in the cast acts on themselves);
Frank is a user outside the team, the one added by "create membership"."""

from __future__ import annotations

ROLES = ("owner", "admin", "member", "auditor", "outsider", "anonymous")
CAST = {"owner": "alice", "admin": "dana", "member": "bob", "auditor": "carol", "outsider": "charlie"}

MEMBERS = frozenset({"owner", "admin", "member", "auditor"})
MANAGERS = frozenset({"owner", "admin"})
SIGNED_IN = frozenset({"owner", "admin", "member", "auditor", "outsider"})

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    # the team
    ("team", "list"): MEMBERS,  # it appears among my teams
    ("team", "view"): MEMBERS,
    ("team", "create"): SIGNED_IN,  # anyone signed in may start a team (of their own)
    ("team", "change"): MANAGERS,
    ("team", "delete"): frozenset({"owner"}),
    # a membership (Erin's)
    ("membership", "list"): MEMBERS,
    ("membership", "view"): MEMBERS,
    ("membership", "create"): MANAGERS,
    ("membership", "change"): MANAGERS,
    ("membership", "delete"): MANAGERS,
    # a team profile granted to Bob (platform/readonly)
    ("profile", "list"): frozenset({"owner", "admin", "member"}),
    ("profile", "view"): frozenset({"owner", "admin", "member"}),
    ("profile", "create"): MANAGERS,
    ("profile", "change"): MANAGERS,
    ("profile", "delete"): MANAGERS,
    ("profile", "use"): frozenset({"owner", "admin", "member"}),
    # a team profile granted to nobody (platform/keys): a member finds no such profile
    ("ungranted profile", "list"): MANAGERS,
    ("ungranted profile", "view"): MANAGERS,
    ("ungranted profile", "use"): MANAGERS,
    # a grant (readonly to Erin)
    ("grant", "list"): MANAGERS,
    ("grant", "view"): MANAGERS,
    ("grant", "create"): MANAGERS,
    ("grant", "delete"): MANAGERS,
    # a run Bob made with platform/readonly: Bob sees it, and so do the team's owners,
    # admins and auditors (teams.view_team_runs): its page, the API, watching it live
    ("run", "view"): frozenset({"owner", "admin", "member", "auditor"}),
    # ... and in the audit log (/audit/) and its export (page and API); filters never widen it
    ("run", "list"): frozenset({"owner", "admin", "member", "auditor"}),
    ("run", "export"): frozenset({"owner", "admin", "member", "auditor"}),
    # the team's audit events (the log's Events tab): its owners, admins and auditors
    ("team events", "list"): frozenset({"owner", "admin", "auditor"}),
    ("run", "follow"): frozenset({"member"}),  # attach a terminal to it: one's own runs only
    ("run", "change"): frozenset({"member"}),  # cancel it
    # a file Bob put in the team's folder (~/team/platform/plan.txt): members read and
    # write it, auditors only read it, outsiders find no such file (the files endpoints)
    ("team file", "view"): MEMBERS,
    ("team file", "change"): frozenset({"owner", "admin", "member"}),
    # a file in Bob's own workspace: nobody else has a path to it, not even the team's owner
    ("personal file", "view"): frozenset({"member"}),
    ("personal file", "change"): frozenset({"member"}),
    # just-in-time elevation: anyone who may use platform/readonly asks for their own; Erin's
    # pending request is seen, listed, decided and ended by the team's owners and admins
    # (and by Erin, who is not in the cast); to anyone else it does not exist
    ("elevation", "create"): frozenset({"owner", "admin", "member"}),
    ("elevation", "list"): MANAGERS,
    ("elevation", "view"): MANAGERS,
    ("elevation", "change"): MANAGERS,
    ("elevation", "delete"): MANAGERS,
}


def allowed(obj: str, action: str, role: str) -> bool:
    return role in EXPECTED[(obj, action)]
