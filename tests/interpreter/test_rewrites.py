"""The CLI's per-command convenience parameters build what the CLI builds (awscli is the oracle)."""

from __future__ import annotations

import pytest

from console.interpreter import CommandError, parse_command

from .cli_oracle import cli_parameters

SAME_PARAMETERS_AS_THE_CLI = [
    "aws ec2 run-instances --image-id ami-1",
    "aws ec2 run-instances --image-id ami-1 --count 3",
    "aws ec2 run-instances --image-id ami-1 --count 2:5 --instance-type t3.micro",
    "aws ec2 run-instances --image-id ami-1 --subnet-id s-1 --associate-public-ip-address "
    "--security-group-ids sg-1 sg-2",
    "aws ec2 run-instances --image-id ami-1 --subnet-id s-1 --no-associate-public-ip-address",
    "aws ec2 run-instances --image-id ami-1 --subnet-id s-1 --secondary-private-ip-addresses "
    "10.0.0.5 10.0.0.6 "
    "--private-ip-address 10.0.0.4",
    "aws ec2 run-instances --image-id ami-1 --secondary-private-ip-address-count 2 --ipv6-address-count 1",
    "aws ec2 run-instances --image-id ami-1 --subnet-id s-1 --security-group-ids sg-1",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol tcp --port 22 --cidr 10.0.0.0/8",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol udp --port 1000-2000 "
    "--cidr 0.0.0.0/0",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol all --source-group sg-2",
    "aws ec2 authorize-security-group-ingress --group-name web --protocol icmp --port -1 "
    "--source-group other "
    "--group-owner 123456789012",
    "aws ec2 authorize-security-group-egress --group-id sg-1 --protocol 6 --port all --cidr 10.0.0.0/8",
    "aws ec2 revoke-security-group-ingress --group-id sg-1 --protocol tcp --port 443 --cidr 1.2.3.4/32",
    "aws ec2 revoke-security-group-egress --group-id sg-1 --ip-permissions IpProtocol=-1",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --ip-permissions "
    "IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=0.0.0.0/0}]",
    "aws ses send-email --from a@example.com --to b@example.com c@example.com --subject hi --text body",
    "aws ses send-email --from a@example.com --cc b@example.com --bcc c@example.com --subject s "
    "--html '<p>x</p>'",
    "aws ses send-email --from a@example.com --destination ToAddresses=b@example.com "
    "--message 'Subject={Data=s},Body={Text={Data=t}}'",
]


@pytest.mark.parametrize("line", SAME_PARAMETERS_AS_THE_CLI)
def test_it_builds_the_parameters_the_cli_builds(line):
    expected, stderr = cli_parameters(line)
    assert expected is not None, stderr
    assert parse_command(line).parameters == expected


SAME_ERROR_AS_THE_CLI = [
    "aws ec2 run-instances --image-id ami-1 --count x",
    "aws ec2 run-instances --image-id ami-1 --count 1:2:3",
    "aws ec2 run-instances --image-id ami-1 --associate-public-ip-address --network-interfaces DeviceIndex=0",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol tcp --port x --cidr 10.0.0.0/8",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol bogus",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol 300",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --cidr 10.0.0.0/8 --ip-permissions "
    "IpProtocol=tcp",
    "aws ses send-email --from a@example.com --to b@example.com --destination ToAddresses=c@example.com "
    "--subject s --text t",
]


@pytest.mark.parametrize("line", SAME_ERROR_AS_THE_CLI)
def test_it_refuses_what_the_cli_refuses_with_its_words(line):
    expected, stderr = cli_parameters(line)
    assert expected is None
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert caught.value.message == stderr


def test_it_removes_the_parameters_the_cli_replaces():
    with pytest.raises(CommandError) as caught:
        parse_command("aws ec2 run-instances --image-id ami-1 --max-count 2")
    assert "Unknown options: --max-count, 2" in caught.value.message
