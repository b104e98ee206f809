"""Whether an operation's output holds secrets, from botocore's models alone: an output
shape with a member that botocore marks `sensitive`, anywhere inside (STS's
`Credentials.SecretAccessKey`, Secrets Manager's `SecretString`, SSM's parameter `Value`,
IAM's `AccessKey.SecretAccessKey`), is output whose stored copy is sealed
(console/runs/store.py). No list of operations of our own: what botocore marks is the rule,
as for the parameters redacted from stored command lines (arguments.py).

The worker asks before every AWS operation it runs, so each answer is computed once per
process and kept in a plain dict: after the first time it is one lookup, never behind
the lock that model loading takes (a cold ec2 model holds it for a second)."""

from __future__ import annotations

from . import catalog
from .arguments import contains_sensitive

_answers: dict[tuple[str, str], bool] = {}


def output_is_sensitive(service_name: str, operation_name: str) -> bool:
    """Whether botocore marks anything in the output of `service_name`'s operation
    `operation_name` (botocore names: "sts", "AssumeRole") sensitive."""
    key = (service_name, operation_name)
    answer = _answers.get(key)
    if answer is None:
        # Two threads may both compute a missing answer; they store the same value.
        answer = _answers[key] = _compute(service_name, operation_name)
    return answer


def _compute(service_name: str, operation_name: str) -> bool:
    shape = catalog.operation_model(service_name, operation_name).output_shape
    return shape is not None and contains_sensitive(shape)
