"""The run page `/runs/<id>`: its owner (and staff) see everything the run recorded, anyone
else gets the 404 a missing run gets (and the refusal is audited), a visitor who is not
signed in is sent to sign in; the page is served under the strict CSP, carries no
secret, and `/?prefill=<id>` opens the terminal with the stored (redacted) line."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from console.runs.audit import AuditAction
from console.runs.models import AuditEvent
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db

CANARY = "Canary-Secret-9f1c2e"
PRINCIPAL = {
    "type": "assume-role",
    "arn": "arn:aws:sts::123456789012:assumed-role/ConsoleAdmin/alice",
    "account": "123456789012",
    "access_key_id": "ASIAEXAMPLE1234",
}
CALL = {
    "service": "iam",
    "operation": "ListRoles",
    "status": 200,
    "request_id": "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE",
    "attempts": 1,
    "error": "",
}


def _recorded_run(user, **fields):
    values = {
        "command": "aws iam list-roles --profile admin",
        "service": "iam",
        "operation": "ListRoles",
        "profile": "admin",
        "profile_chain": ["admin", "default"],
        "principal": PRINCIPAL,
        "aws_account": "123456789012",
        "region": "us-east-1",
        "endpoint": "https://iam.amazonaws.com",
        "aws_calls": [CALL],
        "aws_call_count": 1,
        "output_bytes": 15,
        "output_sha256": "ab" * 32,
    }
    return make_run(user, chunks=[(0, "stdout", '{"Roles": []}\n')], **{**values, **fields})


def _get(user, path):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path)


def test_it_shows_the_owner_everything_the_run_recorded(alice):
    run = _recorded_run(alice)
    response = _get(alice, f"/runs/{run.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    for shown in (
        "aws iam list-roles --profile admin",
        "admin ← default",
        PRINCIPAL["arn"],
        PRINCIPAL["access_key_id"],
        "us-east-1",
        "https://iam.amazonaws.com",
        CALL["request_id"],
        "ab" * 32,
        "15 bytes",
    ):
        assert shown in html, shown
    assert f'data-run-id="{run.pk}"' in html and 'data-cols="80"' in html
    assert f'href="/?prefill={run.pk}"' in html


def test_it_is_served_under_the_strict_csp_with_static_scripts_only(alice):
    run = _recorded_run(alice)
    response = _get(alice, f"/runs/{run.pk}")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html
    assert 'src="/static/audit/run.js"' in html


def test_staff_see_any_run(alice, staff_bob):
    run = _recorded_run(alice)
    assert _get(staff_bob, f"/runs/{run.pk}").status_code == 200


def test_another_user_gets_a_404_and_the_refusal_is_audited(alice, charlie):
    run = _recorded_run(alice)
    assert _get(charlie, f"/runs/{run.pk}").status_code == 404
    assert _get(charlie, f"/runs/{uuid.uuid4()}").status_code == 404  # the same as a missing run
    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED.value, actor_name="charlie")
    assert [event.data["action"] for event in denied] == ["view", "view"]


def test_a_visitor_is_sent_to_sign_in_and_back(alice):
    run = _recorded_run(alice)
    response = _get(None, f"/runs/{run.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/runs/{run.pk}"


def test_nobody_else_can_rerun_it(alice, charlie):
    run = _recorded_run(alice)
    client = Client()
    client.force_login(charlie)
    assert client.post(f"/runs/{run.pk}/rerun").status_code == 404
    assert Client().post(f"/runs/{run.pk}/rerun").status_code == 302


def test_no_secret_reaches_the_page_the_prefill_or_the_diff(alice):
    run = _recorded_run(
        alice,
        command="aws secretsmanager create-secret --name db --secret-string ****",
        sealed_command=f"SEALED-{CANARY}",
        principal={"type": "shared-credentials-file", "access_key_id": "AKIAEXAMPLE"},
    )
    for path in (f"/runs/{run.pk}", f"/?prefill={run.pk}", f"/runs/{run.pk}/diff/{run.pk}"):
        html = _get(alice, path).content.decode()
        assert CANARY not in html, path
        assert "SEALED" not in html, path
        assert "--secret-string ****" in html, path


def test_the_terminal_opens_with_the_stored_line_for_edit_and_rerun(alice, charlie):
    run = _recorded_run(alice, command="aws s3 ls --profile 'a \"b\"'")
    html = _get(alice, f"/?prefill={run.pk}").content.decode()
    assert f'data-prefill="aws s3 ls --profile &#x27;a &quot;b&quot;&#x27;" data-rerun-of="{run.pk}"' in html
    assert "data-prefill" not in _get(charlie, f"/?prefill={run.pk}").content.decode()


def test_a_short_id_leads_to_the_runs_page(alice, charlie):
    run = _recorded_run(alice)
    for ref in (run.pk.hex[:8], run.pk.hex, run.pk.hex[:8].upper()):
        response = _get(alice, f"/runs/{ref}")
        assert (response.status_code, response["Location"]) == (302, f"/runs/{run.pk}"), ref
    assert _get(charlie, f"/runs/{run.pk.hex[:8]}").status_code == 404
    assert _get(alice, "/runs/not-an-id").status_code == 404
