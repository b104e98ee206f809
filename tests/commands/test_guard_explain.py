"""`guard explain <command line>` and the ACCESS LEVEL section of an operation's help: the
IAM actions and access levels a command needs, told before it runs, sending nothing."""

from __future__ import annotations

import pytest

from console.commands.workspacefiles import WorkspaceFiles
from console.engine.policies import PRESETS
from console.interpreter import CommandError, parse_command, render_help
from console.teams import services
from credentials.models import ConfigSection
from tests.workspace.support import run

pytestmark = pytest.mark.django_db

USAGE = "guard: usage: guard explain <command line>   e.g. guard explain aws s3 rm s3://bucket/key\n"


def test_it_explains_an_operation(ws):
    outcome = run("guard explain aws s3api create-bucket --bucket x", ws)
    assert (outcome.code, outcome.stderr) == (0, "")
    assert outcome.stdout == (
        "aws s3api CreateBucket needs:\n"
        "  s3:CreateBucket  Write\n"
        "Access level: Write\n"
        "Policy: none set for profile default (allow)\n"
    )


def test_it_explains_an_s3_command_through_the_calls_it_makes(ws):
    outcome = run("guard explain aws s3 mv s3://a/k s3://b/k", ws)
    assert outcome.stdout == (
        "aws s3 mv needs:\n"
        "  s3:GetObject     Read\n"
        "  s3:PutObject     Write\n"
        "  s3:DeleteObject  Write\n"
        "Access level: Write\n"
        "Policy: none set for profile default (allow)\n"
    )


@pytest.mark.parametrize(
    "line, level",
    [
        ("aws s3 ls", "Access level: List"),
        ("aws sts get-caller-identity", "Access level: Read"),
        ("aws ec2 create-tags --resources i-1 --tags Key=a,Value=b", "Access level: Tagging"),
        (
            "aws iam attach-user-policy --user-name u --policy-arn arn:aws:iam::aws:policy/x",
            "Access level: Permissions management",
        ),
        # `aws s3 sync` from the workspace: a download without --delete reads, an upload writes.
        ("aws s3 sync s3://a .", "Access level: Read"),
        ("aws s3 sync . s3://a --delete", "Access level: Write"),
    ],
)
def test_it_names_the_most_privileged_level(ws, line, level):
    assert level + "\n" in run(f"guard explain {line}", ws).stdout


def test_it_names_the_profile_the_command_would_use(ws):
    outcome = run("guard explain aws s3 ls --profile prod", ws)
    assert outcome.stdout.endswith("Policy: none set for profile prod (allow)\n")


def test_it_keeps_quoted_words_whole(ws):
    outcome = run("guard explain aws s3 rm 's3://bucket/with space.txt'", ws)
    assert (outcome.code, outcome.stderr) == (0, "")
    assert "s3:DeleteObject" in outcome.stdout


def test_it_reads_file_parameters_from_the_workspace_as_the_command_would(ws):
    ws.write(ws.locate("policy.json"), [b'{"Version": "2012-10-17", "Statement": []}'])
    line = "aws iam put-user-policy --user-name u --policy-name p --policy-document file://policy.json"
    assert "iam:PutUserPolicy  Permissions management\n" in run(f"guard explain {line}", ws).stdout
    missing = line.replace("policy.json", "nosuch.json")
    with pytest.raises(CommandError) as raised:
        parse_command(missing, files=WorkspaceFiles(ws).read)
    outcome = run(f"guard explain {missing}", ws)
    assert (outcome.code, outcome.stderr, outcome.stdout) == (
        raised.value.exit_code,
        raised.value.message,
        "",
    )
    assert "nosuch.json" in outcome.stderr


@pytest.mark.parametrize(
    "line",
    [
        "aws nosuch list",
        "aws s3api nosuch-operation",
        "aws s3api create-bucket",  # a missing required parameter
        "aws s3 sync s3://a",  # a missing destination: the CLI's own refusal
        "aws",
        "nosuch",
    ],
)
def test_it_answers_a_bad_line_with_the_interpreters_message(ws, line):
    with pytest.raises(CommandError) as raised:
        parse_command(line)
    outcome = run(f"guard explain {line}", ws)
    assert (outcome.code, outcome.stderr, outcome.stdout) == (
        raised.value.exit_code,
        raised.value.message,
        "",
    )


@pytest.mark.parametrize("line", ["guard", "guard explain", "guard nosuch aws s3 ls", "guard explain-it"])
def test_it_answers_a_bad_use_with_its_usage(ws, line):
    outcome = run(line, ws)
    assert (outcome.code, outcome.stdout, outcome.stderr) == (252, "", USAGE)


@pytest.mark.parametrize(
    "line, name",
    [
        ("ls", "ls"),
        ("aws configure list", "configure"),
        ("aws sts get-caller-identity help", "help"),
        ("aws sts get-caller-identity --generate-cli-skeleton", "--generate-cli-skeleton"),
        ("guard explain aws s3 ls", "guard"),
    ],
)
def test_it_says_when_no_guardrail_applies(ws, line, name):
    outcome = run(f"guard explain {line}", ws)
    assert (outcome.code, outcome.stderr) == (0, "")
    assert outcome.stdout == f"`{name}` sends no request that IAM authorizes: no guardrail applies.\n"


def test_an_operations_help_ends_with_its_access_level(ws):
    outcome = run("aws s3api copy-object help", ws)
    cli_sections = render_help(("s3api", "copy-object"), 80)
    assert outcome.stdout.startswith(cli_sections.rstrip("\n") + "\n\nACCESS LEVEL\n")
    assert outcome.stdout.endswith(
        "ACCESS LEVEL\n"
        "       Write\n"
        "\n"
        "       IAM actions:\n"
        "          o s3:GetObject (Read)\n"
        "          o s3:PutObject (Write)\n"
        "\n"
        "       `guard explain <command line>` shows it for a whole command.\n"
    )


def test_a_services_help_is_unchanged(ws):
    assert run("aws sts help", ws).stdout == render_help(("sts",), 80)


def test_the_terminals_help_lists_guard_explain(ws):
    assert "guard explain <command>" in run("help", ws).stdout


@pytest.fixture
def careful_prod(alice):
    """Alice's team profile platform/prod under the "careful" preset."""
    team = services.create_team(alice, "platform", "Platform")
    section = services.save_team_profile(alice, team, "prod", {"region": "eu-west-1"})
    services.set_team_policy(alice, section, "careful", production=True)


@pytest.mark.parametrize(
    "line, decision",
    [
        (
            "aws s3api list-buckets --profile platform/prod",
            "Policy: allow (it would run; profile platform/prod: careful)\n",
        ),
        (
            "aws s3 rm s3://b/k --profile platform/prod",
            "Policy: confirm (you would be asked to type the profile's name first; "
            "profile platform/prod: careful)\n",
        ),
    ],
)
def test_it_tells_what_the_profiles_policy_would_do(ws, careful_prod, line, decision):
    assert run(f"guard explain {line}", ws).stdout.endswith(decision)


def test_it_tells_a_denial_by_a_custom_policy(ws, careful_prod, alice):
    section = ConfigSection.objects.select_related("team").get(name="prod")
    services.set_team_policy(alice, section, {**PRESETS["open"], "Write": "deny"}, production=False)
    outcome = run("guard explain aws s3api create-bucket --bucket x --profile platform/prod", ws)
    assert outcome.stdout.endswith(
        "Policy: deny (it would be refused, nothing sent; profile platform/prod: List allow, Read allow, "
        "Tagging allow, Write deny, Permissions management allow)\n"
    )
