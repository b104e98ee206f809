"""Re-running from the run page and over the API, through the real path (submission in
this process, a Celery worker process, the sandbox): always as the person who asks, with
their rights as they are now; "as is" pins the profile and region the original resolved
(its terminal's environment is not the re-runner's); "with" changes them; a line that
held a secret is refused, never sent with the placeholder. The new run records
`rerun_of`."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from console.api.tokens import create_token
from console.demo import install_sandbox_profiles
from console.runs import environment, reaper, store
from console.runs.models import CommandRun
from credentials.models import ConfigSection
from tests.api.conftest import bearer
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = "this command held a secret that was not kept; edit and re-run"


@pytest.fixture
def original(stack, alice_profiles):
    """`aws sts get-caller-identity` as Alice ran it in a terminal with AWS_PROFILE=admin."""
    environment.export(alice_profiles, "t1", {"AWS_PROFILE": "admin"})
    return _run_to_the_end(alice_profiles, "aws sts get-caller-identity", terminal="t1")


def _run_to_the_end(user, line, terminal=""):
    from console.audit.rerun import submit_line

    run = submit_line(user, line, source="terminal" if terminal else "api", terminal_id=terminal)
    return reaper.wait_for_final(run.pk, timeout=30)


def _press(user, run, **choices):
    client = Client()
    client.force_login(user)
    return client.post(f"/runs/{run.pk}/rerun", {"profile": "", "region": "", **choices})


def _followed(response):
    assert response.status_code == 303, response.content.decode()[:500]
    run_id = response["Location"].rsplit("/", 1)[-1]
    return reaper.wait_for_final(run_id, timeout=30)


def _arn(run):
    return json.loads(store.run_streams(run)[0])["Arn"]


def test_as_is_runs_the_line_at_the_profile_and_region_the_original_used(original, sandbox):
    assert _arn(original).endswith(":assumed-role/ConsoleAdmin/alice")
    rerun = _followed(_press(original.user, original))
    assert rerun.status == "succeeded", store.run_streams(rerun)
    assert rerun.command == f"aws sts get-caller-identity --profile admin --region {sandbox.seed.region}"
    assert (rerun.rerun_of_id, rerun.source, rerun.terminal_id) == (original.pk, "run_page", "")
    assert _arn(rerun) == _arn(original)


def test_it_runs_as_the_person_pressing_with_their_own_profile(original, staff_bob, sandbox):
    install_sandbox_profiles(staff_bob, sandbox.seed, sandbox.url)
    rerun = _followed(_press(staff_bob, original))
    assert (rerun.user, rerun.rerun_of_id) == (staff_bob, original.pk)
    assert _arn(rerun) == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleAdmin/bob"


def test_it_uses_the_rights_of_now_not_those_the_original_had(original):
    ConfigSection.objects.filter(owner=original.user, name="admin").delete()
    rerun = _followed(_press(original.user, original))
    assert (rerun.status, rerun.exit_code) == ("failed", 253)
    assert "The config profile (admin) could not be found" in store.run_streams(rerun)[1]


def test_with_another_profile(original):
    rerun = _followed(_press(original.user, original, profile="readonly"))
    assert "--profile readonly" in rerun.command
    assert _arn(rerun).endswith(":assumed-role/ConsoleReadOnly/alice")
    assert rerun.profile_chain == ["readonly", "default"]


def test_with_another_region(original):
    rerun = _followed(_press(original.user, original, region="eu-west-1"))
    assert rerun.command.endswith("--profile admin --region eu-west-1")
    assert rerun.region == "eu-west-1" and rerun.status == "succeeded"


def test_a_profile_the_person_may_not_use_is_refused(original, charlie):
    response = _press(original.user, original, profile="someone-elses")
    assert response.status_code == 400
    assert "choose a profile and a region from the lists" in response.content.decode()
    assert CommandRun.objects.count() == 1


def test_a_line_that_held_a_secret_is_refused(alice):
    held = make_run(alice, command="aws iam create-login-profile --user-name demo --password ****")
    response = _press(alice, held)
    assert response.status_code == 409
    assert REFUSED in response.content.decode()
    assert not CommandRun.objects.filter(rerun_of=held).exists()


# ---- the API ---------------------------------------------------------------------------


def _api(user, run, body=None):
    token = create_token(user)
    payload = json.dumps(body) if body is not None else ""
    return Client().post(
        f"/api/v1/runs/{run.pk}/rerun", payload, content_type="application/json", headers=bearer(token)
    )


def test_the_api_reruns_as_is_and_waits(original, sandbox):
    response = _api(original.user, original, {"wait": True})
    assert response.status_code == 200
    body = response.json()
    assert body["rerun_of"] == str(original.pk) and body["source"] == "api" and body["status"] == "succeeded"
    assert body["command"] == f"aws sts get-caller-identity --profile admin --region {sandbox.seed.region}"
    assert body["record"]["principal"]["arn"].endswith(":assumed-role/ConsoleAdmin/alice")
    assert response["Location"] == f"/api/v1/runs/{body['id']}"


def test_the_api_reruns_with_an_empty_body(original):
    response = _api(original.user, original)
    assert response.status_code == 201 and response.json()["rerun_of"] == str(original.pk)
    reaper.wait_for_final(response.json()["id"], timeout=30)


def test_the_api_reruns_an_edited_command_with_a_profile_and_region(original):
    body = {
        "command": "aws sts get-caller-identity --output text",
        "profile": "readonly",
        "region": "eu-west-1",
    }
    response = _api(original.user, original, {**body, "wait": True})
    assert response.status_code == 200, response.json()
    run = response.json()
    assert run["command"] == "aws sts get-caller-identity --output text --profile readonly --region eu-west-1"
    assert "assumed-role/ConsoleReadOnly/alice" in run["stdout"]


def test_the_api_refuses_a_line_that_held_a_secret(alice):
    held = make_run(alice, command="aws iam create-login-profile --user-name demo --password ****")
    response = _api(alice, held)
    assert response.status_code == 409
    assert response.json() == {"error": REFUSED + " (the stored line shows **** where the secret was)",
                               "code": "rerun_refused"}  # fmt: skip
    edited = _api(alice, held, {"command": "aws iam create-login-profile --user-name demo --password ****"})
    assert edited.status_code == 409


def test_the_api_answers_404_for_a_run_one_may_not_see_and_400_for_bad_choices(original, charlie):
    assert _api(charlie, original).status_code == 404
    assert _api(original.user, original, {"profile": "nope"}).json()["code"] == "rerun_refused"
    assert _api(original.user, original, {"profile": "nope"}).status_code == 400
    assert _api(original.user, original, {"region": "mars-1"}).status_code == 400
    bad = _api(original.user, original, {"profile": 3, "colour": "red"})
    assert (
        bad.status_code == 400 and bad.json()["error"] == 'unknown field "colour"; "profile" must be a string'
    )
