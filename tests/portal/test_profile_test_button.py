"""A team profile's "test" button: a real run of `aws sts get-caller-identity --profile
<team>/<name>` as the person who presses it, through the normal run path (recorded and
audited, executed by the worker against the sandbox with IAM enforced), waited for, and
its answer or its error shown on the profile's page."""

from __future__ import annotations

import pytest

from console.runs.models import AuditEvent, CommandRun, RunSource
from console.teams import services
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox_profiles(stack, team, alice, sandbox):
    common = {"region": sandbox.seed.region, "endpoint_url": sandbox.url}
    keys = {
        "aws_access_key_id": sandbox.seed.access_key_id,
        "aws_secret_access_key": sandbox.seed.secret_access_key,
    }
    services.save_team_profile(alice, team, "keys", {**common, **keys})
    good = services.save_team_profile(
        alice,
        team,
        "readonly",
        {**common, "role_arn": sandbox.seed.readonly_role_arn, "source_profile": "keys"},
    )
    # Its source is not one of the team's profiles: the broker says so, as the CLI would.
    bad = services.save_team_profile(
        alice,
        team,
        "broken",
        {**common, "role_arn": sandbox.seed.readonly_role_arn, "source_profile": "gone"},
    )
    return good, bad


def test_it_shows_who_aws_says_the_tester_is(sandbox_profiles, dana, sandbox):
    good, _ = sandbox_profiles
    page = signed_in(dana).post(f"/teams/platform/profiles/{good.pk}/test").content.decode()
    assert "assumed-role/ConsoleReadOnly/dana" in page
    assert 'class="status-succeeded">succeeded</strong>, exit code 0' in page
    run = CommandRun.objects.get(source=RunSource.PORTAL)
    assert (run.user, run.command) == (dana, "aws sts get-caller-identity --profile platform/readonly")
    assert AuditEvent.objects.filter(run=run, action="console:run:submitted").exists()
    assert sandbox.seed.secret_access_key not in page


def test_it_shows_the_error_when_the_profile_does_not_work(sandbox_profiles, alice):
    _, bad = sandbox_profiles
    page = signed_in(alice).post(f"/teams/platform/profiles/{bad.pk}/test").content.decode()
    assert 'class="status-failed">failed</strong>' in page
    assert '<pre class="output output-error"' in page
    assert "gone" in page.split('output-error"')[1]


def test_a_member_tests_a_profile_granted_to_them_as_themselves(sandbox_profiles, alice, bob):
    good, _ = sandbox_profiles
    services.grant(alice, good, user=bob)
    page = signed_in(bob).post(f"/teams/platform/profiles/{good.pk}/test").content.decode()
    assert "assumed-role/ConsoleReadOnly/bob" in page
