"""What the sandbox does with an STS session policy: nothing, in moto 5.2.5.

A read-only grant makes the broker pass `PolicyArns=[ReadOnlyAccess]` on AssumeRole
(docs/guardrails.md). On AWS the session's rights are then the intersection of the
role's policies and the session policy. moto 5.2.5 neither reads `PolicyArns`
(moto/sts/responses.py `assume_role` takes RoleSessionName, RoleArn, Policy,
DurationSeconds, ExternalId only) nor applies the inline `Policy` it stores:
`AssumedRoleAccessKey.collect_policies` (moto/iam/access_control.py) returns the role's
inline and attached policies and never the session's. These tests pin that down, so the
day moto starts enforcing either, they fail and the read-only tests can become ones
where AWS itself refuses the write.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.test_sandbox import client

DENY_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
)
READ_ONLY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _admin_session(sandbox: Sandbox, **session_policy: Any) -> Any:
    seed = sandbox.seed
    sts = client(sandbox.url, "sts", seed.access_key_id, seed.secret_access_key)
    answer = sts.assume_role(RoleArn=seed.admin_role_arn, RoleSessionName="probe", **session_policy)
    creds = answer["Credentials"]
    return client(sandbox.url, "s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def _can_create_a_bucket(s3: Any) -> bool:
    name = f"probe-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.delete_bucket(Bucket=name)
    return True


def test_it_ignores_a_managed_session_policy(sandbox: Sandbox) -> None:
    s3 = _admin_session(sandbox, PolicyArns=[{"arn": READ_ONLY_ARN}])
    # On AWS this is AccessDenied: ReadOnlyAccess has no s3:CreateBucket.
    assert _can_create_a_bucket(s3)


def test_it_ignores_an_inline_session_policy(sandbox: Sandbox) -> None:
    s3 = _admin_session(sandbox, Policy=DENY_ALL)
    # On AWS this is AccessDenied: the session policy denies everything.
    assert _can_create_a_bucket(s3)


def test_it_still_enforces_the_roles_own_policy(sandbox: Sandbox) -> None:
    # The control: IAM is enforced, so the two passes above are not an open sandbox.
    seed = sandbox.seed
    sts = client(sandbox.url, "sts", seed.access_key_id, seed.secret_access_key)
    creds = sts.assume_role(RoleArn=seed.readonly_role_arn, RoleSessionName="probe")["Credentials"]
    s3 = client(sandbox.url, "s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    import pytest
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as refused:
        s3.create_bucket(Bucket=f"probe-{uuid.uuid4().hex[:12]}")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
