"""moto checks a signature over the payload the client sent (sandbox/signing.py).

Without the fix, every request with neither body nor form (rest-json and
rest-xml GETs: lambda, eks, efs, apigateway, ...) was refused with
SignatureDoesNotMatch for the right key, because moto hashed its headers or its
query as if they were the body.
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from sandbox.signing import signed_payload
from tests.conftest import Sandbox

BOTOCORE = botocore.session.get_session()


def client(sandbox: Sandbox, service: str, secret: str | None = None, **creds: str) -> Any:
    return BOTOCORE.create_client(
        service,
        endpoint_url=sandbox.url,
        region_name="us-east-1",
        aws_access_key_id=creds.get("key", sandbox.seed.access_key_id),
        aws_secret_access_key=secret if secret is not None else sandbox.seed.secret_access_key,
        aws_session_token=creds.get("token"),
    )


def refusal(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    """The status and moto's error code: for rest-json, moto answers its IAM refusals
    in XML, which botocore does not parse, so the code is read from the message."""
    response = excinfo.value.response
    message = str(response["Error"].get("Message", ""))
    code = message.partition("<Code>")[2].partition("</Code>")[0] or str(response["Error"]["Code"])
    return int(response["ResponseMetadata"]["HTTPStatusCode"]), code


def test_it_accepts_a_rest_json_get_without_query_or_body(sandbox: Sandbox) -> None:
    answer = client(sandbox, "lambda").list_functions()
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("lambda", "list_functions", {"MaxItems": 1}),
        ("eks", "list_clusters", {"maxResults": 5}),
        ("efs", "describe_file_systems", {}),
        ("apigateway", "get_rest_apis", {"limit": 2}),
    ],
)
def test_it_accepts_rest_gets_with_and_without_a_query(
    sandbox: Sandbox, service: str, operation: str, params: dict[str, Any]
) -> None:
    answer = getattr(client(sandbox, service), operation)(**params)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_it_still_refuses_a_wrong_secret_key_on_a_rest_json_get(sandbox: Sandbox) -> None:
    with pytest.raises(ClientError) as excinfo:
        client(sandbox, "lambda", secret="not-the-secret").list_functions()
    assert refusal(excinfo) == (403, "SignatureDoesNotMatch")


def test_it_still_denies_the_readonly_role_a_rest_json_write(sandbox: Sandbox) -> None:
    sts = client(sandbox, "sts")
    creds = sts.assume_role(RoleArn=sandbox.seed.readonly_role_arn, RoleSessionName="alice")["Credentials"]
    lam = client(
        sandbox, "lambda", creds["SecretAccessKey"], key=creds["AccessKeyId"], token=creds["SessionToken"]
    )
    with pytest.raises(ClientError) as excinfo:
        lam.delete_function(FunctionName="no-such-function")
    assert refusal(excinfo) == (403, "AccessDenied")


def test_it_signs_the_body_when_there_is_one() -> None:
    assert signed_payload(b'{"a": 1}', {"Host": ["x"]}, "application/json") == b'{"a": 1}'


def test_it_signs_the_form_of_a_form_encoded_request() -> None:
    form = {"Action": ["GetCallerIdentity"]}
    assert signed_payload(b"", form, "application/x-www-form-urlencoded; charset=utf-8") is form


def test_it_signs_nothing_when_there_is_neither_body_nor_form() -> None:
    assert signed_payload(b"", {"Host": ["127.0.0.1"], "MaxItems": ["1"]}, "") == b""
