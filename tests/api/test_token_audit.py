"""Making and revoking API tokens are audit events: who, whose token, its name and display
prefix, and never the token itself; the chain stays intact."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from console.api.models import ApiToken
from console.api.tokens import hash_token, revoke_token
from console.runs.audit import AuditAction, verify_chain
from console.runs.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(action: AuditAction) -> list[tuple[str, dict]]:
    return list(AuditEvent.objects.filter(action=action.value).values_list("actor_name", "data"))


def test_making_a_token_is_audited_without_the_token(alice: User) -> None:
    out = StringIO()
    call_command("create_api_token", "alice", "--name", "ci", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert _events(AuditAction.API_TOKEN_CREATED) == [
        ("system", {"token": token.pk, "user": "alice", "name": "ci", "prefix": raw[:8]})
    ]
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert raw not in stored and hash_token(raw) not in stored
    assert verify_chain().ok


def test_revoking_is_audited_once_per_token(alice: User) -> None:
    call_command("create_api_token", "alice", stdout=StringIO())
    token = ApiToken.objects.get()
    assert revoke_token(alice, token.pk) is True
    assert revoke_token(alice, token.pk) is False  # already revoked: nothing more to audit
    assert [actor for actor, _ in _events(AuditAction.API_TOKEN_REVOKED)] == ["alice"]


def test_revoking_in_the_admin_is_audited_as_the_admin(alice: User, admin_user: User) -> None:
    call_command("create_api_token", "alice", stdout=StringIO())
    token = ApiToken.objects.get()
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200 and "Revoked 1 token(s)." in response.content.decode()
    assert _events(AuditAction.API_TOKEN_REVOKED) == [
        ("admin", {"token": token.pk, "user": "alice", "name": "", "prefix": token.prefix})
    ]
