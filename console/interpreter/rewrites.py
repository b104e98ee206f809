"""The CLI's per-command convenience parameters, as data plus one small function each.

Some commands in the CLI take parameters that are not in the model and rewrite them
into model parameters (`ec2 run-instances --count 2:5` -> MinCount/MaxCount). Runbooks
use them, so the common ones are mirrored here with the CLI's error texts (observed in
awscli 1.46.3 `customizations/`): `ec2 run-instances` (--count and the network-interface
shortcuts), the four `ec2` security-group rule commands (--protocol --port --cidr
--source-group --group-owner) and `ses send-email` (--from --to --cc --bcc --subject
--text --html). The rest are listed in docs/cli.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import CommandError, general_error

Params = dict[str, Any]


@dataclass(frozen=True)
class Custom:
    """A parameter the CLI adds to one command: its name, arity and what it writes."""

    name: str
    arity: str  # arguments.SINGLE / LIST / FLAG
    write: Callable[[Params, Any], None]
    flag_value: Any = None
    group: str = ""


def _invalid(message: str) -> CommandError:
    return general_error(message)


# -- ec2 run-instances -------------------------------------------------------------------------


def _count(params: Params, value: str) -> None:
    low, sep, high = value.partition(":")
    try:
        if sep and ":" in high:
            raise ValueError
        params["MinCount"], params["MaxCount"] = int(low), int(high if sep else low)
    except ValueError:
        raise _invalid("count parameter should be of form min[:max] (e.g. 1 or 1:10)") from None


def _interface(params: Params, key: str, value: Any) -> None:
    interface = params.setdefault("NetworkInterfaces", [{"DeviceIndex": 0}])[0]
    if key != "PrivateIpAddresses" or key not in interface:
        interface[key] = value


def _secondary_addresses(params: Params, value: list[str]) -> None:
    if value:
        _interface(params, "PrivateIpAddresses", [{"PrivateIpAddress": v, "Primary": False} for v in value])


def _secondary_count(params: Params, value: str) -> None:
    try:
        count = int(value)
    except ValueError:
        raise _invalid(f"invalid literal for int() with base 10: {value!r}") from None
    if count:
        _interface(params, "SecondaryPrivateIpAddressCount", count)


def _public_ip(params: Params, value: bool) -> None:
    _interface(params, "AssociatePublicIpAddress", value)


_INTERFACE_MOVES = (
    ("SubnetId", "SubnetId"),
    ("SecurityGroupIds", "Groups"),
    ("Ipv6AddressCount", "Ipv6AddressCount"),
    ("Ipv6Addresses", "Ipv6Addresses"),
    ("EnablePrimaryIpv6", "PrimaryIpv6"),
)


def _finish_run_instances(params: Params, given: set[str]) -> None:
    if "network-interfaces" in given and given & {
        "secondary-private-ip-addresses",
        "secondary-private-ip-address-count",
        "associate-public-ip-address",
        "no-associate-public-ip-address",
    }:
        raise _invalid(
            "Mixing the --network-interfaces option with the simple, scalar options is not supported."
        )
    params.setdefault("MaxCount", 1)
    params.setdefault("MinCount", 1)
    interfaces = params.get("NetworkInterfaces")
    simple = ("PrivateIpAddresses", "SecondaryPrivateIpAddressCount", "AssociatePublicIpAddress")
    if not interfaces or not isinstance(interfaces[0], dict) or not any(k in interfaces[0] for k in simple):
        return
    interface = interfaces[0]
    for source, target in _INTERFACE_MOVES:
        if source in params:
            interface[target] = params.pop(source)
    if "PrivateIpAddress" in params:
        interface["PrivateIpAddresses"] = [
            {"PrivateIpAddress": params.pop("PrivateIpAddress"), "Primary": True}
        ]


# -- ec2 security-group rules ------------------------------------------------------------------


def _permission(params: Params) -> dict[str, Any]:
    return params.setdefault("IpPermissions", [{}])[0]


def _protocol(params: Params, value: str) -> None:
    try:
        number = int(value)
    except ValueError:
        if value not in ("tcp", "udp", "icmp", "all"):
            raise _invalid(
                "protocol parameter should be one of: tcp|udp|icmp|all or any valid protocol number."
            ) from None
        value = "-1" if value == "all" else value
    else:
        if not 0 <= number <= 255 and number != -1:
            raise _invalid(
                "protocol parameter should be one of: tcp|udp|icmp|all or any valid protocol number."
            )
    _permission(params)["IpProtocol"] = value


def _port(params: Params, value: str) -> None:
    if value in ("-1", "all"):
        low, high = "-1", "-1"
    else:
        low, _, high = value.partition("-") if "-" in value else (value, "", value)
    try:
        from_port, to_port = int(low), int(high)
    except ValueError:
        raise _invalid("port parameter should be of the form <from[-to]> (e.g. 22 or 22-25)") from None
    _permission(params).update(FromPort=from_port, ToPort=to_port)


def _cidr(params: Params, value: str) -> None:
    _permission(params)["IpRanges"] = [{"CidrIp": value}]


def _group_pair(params: Params, key: str, value: str) -> None:
    pairs = _permission(params).setdefault("UserIdGroupPairs", [{}])
    pairs[0][key] = value


def _source_group(params: Params, value: str) -> None:
    _group_pair(params, "GroupId" if value.startswith("sg-") else "GroupName", value)


def _group_owner(params: Params, value: str) -> None:
    _group_pair(params, "UserId", value)


def _finish_security_group(params: Params, given: set[str]) -> None:
    if "ip-permissions" not in given:
        return
    for name in ("protocol", "port", "cidr", "source-group", "group-owner"):
        if name in given:
            raise _invalid(f"The --{name} option is not compatible with the --ip-permissions option ")


# -- ses send-email ----------------------------------------------------------------------------


def _destination(key: str) -> Callable[[Params, Any], None]:
    def write(params: Params, value: list[str]) -> None:
        params.setdefault("Destination", {})[key] = value

    return write


def _message(key: str) -> Callable[[Params, Any], None]:
    def write(params: Params, value: str) -> None:
        message = params.setdefault("Message", {"Subject": {}, "Body": {}})
        if key == "Subject":
            message["Subject"] = {"Data": value}
        else:
            message.setdefault("Body", {})[key] = {"Data": value}

    return write


def _finish_send_email(params: Params, given: set[str]) -> None:
    for whole, parts in (("destination", ("to", "cc", "bcc")), ("message", ("text", "html"))):
        used = [name for name in parts if name in given]
        if whole in given and used:
            raise _invalid(
                f'The key "{used[0]}" cannot be specified when one of the following keys are also '
                f"specified: {whole}"
            )


# -- the table -----------------------------------------------------------------------------------

_SG_COMMANDS = (
    "authorize-security-group-ingress",
    "authorize-security-group-egress",
    "revoke-security-group-ingress",
    "revoke-security-group-egress",
)


@dataclass(frozen=True)
class Rewrite:
    added: tuple[Custom, ...]
    removed: tuple[str, ...] = ()  # model parameters the CLI takes away
    optional: tuple[str, ...] = ()  # model parameters the CLI makes optional
    renamed: tuple[tuple[str, str], ...] = ()
    finish: Callable[[Params, set[str]], None] | None = None


_RUN_INSTANCES = Rewrite(
    added=(
        Custom("count", "single", _count),
        Custom("secondary-private-ip-addresses", "list", _secondary_addresses),
        Custom("secondary-private-ip-address-count", "single", _secondary_count),
        Custom("associate-public-ip-address", "flag", _public_ip, True, "associate-public-ip"),
        Custom("no-associate-public-ip-address", "flag", _public_ip, False, "associate-public-ip"),
    ),
    removed=("min-count", "max-count"),
    finish=_finish_run_instances,
)
_SECURITY_GROUP = Rewrite(
    added=(
        Custom("protocol", "single", _protocol),
        Custom("port", "single", _port),
        Custom("cidr", "single", _cidr),
        Custom("source-group", "single", _source_group),
        Custom("group-owner", "single", _group_owner),
    ),
    finish=_finish_security_group,
)
_SEND_EMAIL = Rewrite(
    added=(
        Custom("to", "list", _destination("ToAddresses")),
        Custom("cc", "list", _destination("CcAddresses")),
        Custom("bcc", "list", _destination("BccAddresses")),
        Custom("subject", "single", _message("Subject")),
        Custom("text", "single", _message("Text")),
        Custom("html", "single", _message("Html")),
    ),
    optional=("message", "destination"),
    renamed=(("source", "from"),),
    finish=_finish_send_email,
)

REWRITES: dict[str, Rewrite] = {
    "ec2.run-instances": _RUN_INSTANCES,
    **{f"ec2.{command}": _SECURITY_GROUP for command in _SG_COMMANDS},
    "ses.send-email": _SEND_EMAIL,
}


def rewrite_for(cli_service: str, command: str) -> Rewrite | None:
    return REWRITES.get(f"{cli_service}.{command}")
