"""Every sign-in event is in the audit log, with who and from where, and no secret: not
the password, not a code, not the authenticator's key."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from console.accounts.models import SealedTOTPDevice
from console.runs.audit import AuditAction, verify_chain
from console.runs.models import AuditEvent
from tests.accounts.conftest import (
    enrol,
    give_code,
    move_clock,
    next_code,
    recovery_codes,
    sign_in,
    unthrottle,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_a_password_sign_in_and_sign_out(alice):
    client = Client()
    sign_in(client, alice, password="not it")
    sign_in(client, alice)
    client.post("/accounts/logout/")

    assert actions() == ["console:signin:failed", "console:signin:succeeded", "console:signout:succeeded"]
    failed, succeeded, signed_out = AuditEvent.objects.order_by("id")
    assert failed.actor_name == "alice"
    assert failed.data == {"username": "alice", "step": "password", "ip": "127.0.0.1"}
    assert succeeded.data == {"method": "password", "ip": "127.0.0.1"}
    assert signed_out.data == {"reason": "signed_out", "ip": "127.0.0.1"}
    assert verify_chain().ok


def test_a_failure_for_an_unknown_name_keeps_no_name(db):
    Client().post("/accounts/login/", {"username": "my-password-typed-here", "password": "x"})
    (failed,) = events(AuditAction.SIGNIN_FAILED)
    assert failed.actor_name == "system"
    assert failed.data["username"] == ""
    assert "my-password-typed-here" not in json.dumps(failed.data)


def test_enrolment_codes_recovery_and_removal(alice):
    device, codes = enrol(alice)
    (enrolled,) = events(AuditAction.TOTP_ENROLLED)
    assert enrolled.data == {"recovery_codes": 10, "ip": "127.0.0.1"}

    client = Client()
    sign_in(client, alice)
    give_code(client, "000000" if next_code(device) != "000000" else "111111")
    unthrottle(device)
    give_code(client, next_code(device))
    assert [e.data["step"] for e in events(AuditAction.SIGNIN_FAILED)] == ["code"]
    (accepted,) = events(AuditAction.SIGNIN_PASSWORD_ACCEPTED)
    assert accepted.data["next"] == "code"
    assert events(AuditAction.SIGNIN_SUCCEEDED)[-1].data["method"] == "password+totp"

    new_codes = recovery_codes(client.post("/accounts/security/recovery-codes/", {"code": codes[0]}))
    assert len(new_codes) == 10
    assert events(AuditAction.RECOVERY_CODES_REPLACED)[0].data["count"] == 10

    other = Client()
    sign_in(other, alice)
    give_code(other, new_codes[0])
    (used,) = events(AuditAction.RECOVERY_CODE_USED)
    assert used.data["remaining"] == 9
    assert events(AuditAction.SIGNIN_SUCCEEDED)[-1].data["method"] == "password+recovery_code"

    client.post("/accounts/security/remove/", {"code": next_code(device)})
    (removed,) = events(AuditAction.TOTP_REMOVED)
    assert (removed.actor_name, removed.data["user"]) == ("alice", "alice")

    everything = json.dumps(list(AuditEvent.objects.values_list("data", flat=True)))
    for secret in [PASSWORD, device.secret_base32(), device.key().hex(), *codes, *new_codes]:
        assert secret not in everything
    assert verify_chain().ok


def test_a_lockout_is_audited_once_when_it_begins(alice):
    client = Client()
    for _ in range(6):
        sign_in(client, alice, password="wrong")
    (locked,) = events(AuditAction.SIGNIN_LOCKED_OUT)
    assert locked.data == {"username": "alice", "ip": "127.0.0.1", "failures": 5}
    assert len(events(AuditAction.SIGNIN_FAILED)) == 6  # the refused one while locked too


def test_a_timed_out_session_is_audited_with_its_reason(alice):
    client = Client()
    sign_in(client, alice)
    move_clock(client, started_ago=13 * 3600)
    client.get("/")
    (ended,) = events(AuditAction.SIGNIN_ENDED)
    assert ended.data["reason"] == "lifetime"
    assert not events(AuditAction.SIGNOUT_SUCCEEDED)


def test_an_administrator_removing_a_users_authenticator_is_audited_with_their_name(alice):
    from django.contrib.auth import get_user_model

    device, _ = enrol(alice)
    root = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    staff = Client()
    staff.force_login(root)
    staff.post(f"/admin/accounts/sealedtotpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not SealedTOTPDevice.objects.filter(user=alice).exists()
    (removed,) = events(AuditAction.TOTP_REMOVED)
    assert (removed.actor_name, removed.data["user"]) == ("root", "alice")
