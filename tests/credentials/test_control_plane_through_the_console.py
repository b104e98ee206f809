"""A signed-in user with no AWS rights cannot reach the sandbox's control plane through
the console (terminal → DB → real Celery worker → sandbox): an endpoint with a path is
refused before any request, and a request whose path the operation builds (an S3 bucket
named `moto-api`) reaches the sandbox without its control secret and is refused there.
Afterwards the sandbox is as it was: the seed's keys work and IAM is still enforced."""

from __future__ import annotations

import botocore.session
import pytest

from credentials.services import save_profile
from tests.wsclient import open_terminal, receive, run_command

pytestmark = [pytest.mark.django_db(transaction=True)]

PATHS = ["/moto-api/reset", "/moto-api/reset-auth", "/moto-api/data.json", "/_sandbox/identity-center", "/x/"]


@pytest.fixture
def outsider(stack, charlie, sandbox):
    """Charlie, with keys no IAM user owns: he has no AWS rights at all."""
    save_profile(
        charlie,
        "default",
        {
            "region": "us-east-1",
            "endpoint_url": sandbox.url,
            "aws_access_key_id": "AKIAOUTSIDEROFAWS000",
            "aws_secret_access_key": "o" * 40,
        },
    )
    return charlie


async def terminal(user):
    comm, connected, _ = await open_terminal(user)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


def sandbox_is_intact(sandbox) -> None:
    session = botocore.session.get_session()
    common = {"endpoint_url": sandbox.url, "region_name": "us-east-1"}
    seed = sandbox.seed
    sts = session.create_client(
        "sts", aws_access_key_id=seed.access_key_id, aws_secret_access_key=seed.secret_access_key, **common
    )
    assert sts.get_caller_identity()["Arn"].endswith(":user/demo")
    iam = session.create_client(
        "iam", aws_access_key_id="sandbox-bootstrap", aws_secret_access_key="sandbox-bootstrap", **common
    )
    with pytest.raises(iam.exceptions.ClientError, match="InvalidClientTokenId"):
        iam.list_users()  # auth is still enforced


@pytest.mark.parametrize("path", PATHS)
async def test_an_endpoint_url_with_a_path_is_refused(outsider, sandbox, path):
    comm = await terminal(outsider)
    result = await run_command(comm, f"aws sts get-caller-identity --endpoint-url {sandbox.url}{path}")
    await comm.disconnect()
    assert result.code == 252
    assert f"it has a path ({path}), and the AWS CLI's endpoints have none" in result.stderr
    sandbox_is_intact(sandbox)


@pytest.fixture
def control_profile(outsider, sandbox):
    save_profile(
        outsider,
        "control",
        {
            "region": "us-east-1",
            "endpoint_url": f"{sandbox.url}/moto-api/reset",
            "aws_access_key_id": "AKIAOUTSIDEROFAWS000",
            "aws_secret_access_key": "o" * 40,
        },
    )
    return outsider


async def test_a_profile_endpoint_with_a_path_is_refused(control_profile, sandbox):
    outsider = control_profile
    comm = await terminal(outsider)
    result = await run_command(comm, "aws s3api list-buckets --profile control")
    await comm.disconnect()
    assert result.code == 252
    assert "the AWS CLI's endpoints have none" in result.stderr
    sandbox_is_intact(sandbox)


@pytest.mark.parametrize(
    "command",
    [
        # POST /moto-api/reset?uploads: moto would wipe every account.
        "aws s3api create-multipart-upload --bucket moto-api --key reset",
        # POST /moto-api/reset-auth?uploads: moto would switch IAM enforcement off.
        "aws s3api create-multipart-upload --bucket moto-api --key reset-auth",
        # GET /moto-api/data.json?acl, shown by --debug: every account's state and keys.
        "aws s3api get-object-acl --bucket moto-api --key data.json --debug",
    ],
)
async def test_an_operation_whose_path_is_the_control_plane_is_refused_by_the_sandbox(
    outsider, sandbox, command
):
    comm = await terminal(outsider)
    result = await run_command(comm, command)
    await comm.disconnect()
    assert result.code != 0
    assert sandbox.seed.access_key_id not in result.stdout + result.stderr
    assert result.code == 254 and "An error occurred (403)" in result.stderr  # the gate's answer
    sandbox_is_intact(sandbox)
