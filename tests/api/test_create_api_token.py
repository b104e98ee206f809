from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from console.api.models import ApiToken
from console.api.tokens import user_for_token

pytestmark = pytest.mark.django_db


def test_it_prints_only_the_token(alice: User) -> None:
    out, err = StringIO(), StringIO()

    call_command("create_api_token", "alice", "--name", "ci", stdout=out, stderr=err)

    assert re.fullmatch(r"awsc_[A-Za-z0-9_-]{40}\n", out.getvalue())
    assert err.getvalue() == ""
    assert user_for_token(out.getvalue().strip()) == alice
    assert ApiToken.objects.get().name == "ci"


def test_it_refuses_an_unknown_user(alice: User) -> None:
    with pytest.raises(CommandError, match="no user named 'mallory'"):
        call_command("create_api_token", "mallory", stdout=StringIO())

    assert not ApiToken.objects.exists()


def test_it_refuses_an_inactive_user(alice: User) -> None:
    alice.is_active = False
    alice.save()

    with pytest.raises(CommandError, match="inactive"):
        call_command("create_api_token", "alice", stdout=StringIO())


def test_it_refuses_an_over_long_name(alice: User) -> None:
    with pytest.raises(CommandError, match="--name"):
        call_command("create_api_token", "alice", "--name", "x" * 101, stdout=StringIO())
