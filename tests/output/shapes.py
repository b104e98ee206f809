"""Response shapes the output tests share: what botocore hands the formatters (datetimes,
bytes), spanning the structures AWS services return."""

from __future__ import annotations

import datetime

from dateutil.tz import tzutc

UTC = tzutc()
WHEN = datetime.datetime(2024, 5, 1, 12, 30, 5, 123000, tzinfo=UTC)


def instance(number: int, state: str = "running") -> dict:
    return {
        "InstanceId": f"i-{number:017x}",
        "ImageId": "ami-0abcdef1234567890",
        "InstanceType": "t3.micro",
        "LaunchTime": WHEN + datetime.timedelta(days=number),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": "eu-west-1a", "Tenancy": "default"},
        "PrivateIpAddress": f"10.0.0.{number}",
        "State": {"Code": 16, "Name": state},
        "SecurityGroups": [{"GroupId": "sg-1", "GroupName": "default"}],
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": f"vol-{number}", "DeleteOnTermination": True}}
        ],
        "Tags": [{"Key": "Name", "Value": f"web-{number}"}, {"Key": "env", "Value": "prod"}],
        "EbsOptimized": False,
    }


EC2 = {
    "Reservations": [
        {
            "ReservationId": "r-1",
            "OwnerId": "123456789012",
            "Groups": [],
            "Instances": [instance(1), instance(2)],
        },
        {
            "ReservationId": "r-2",
            "OwnerId": "123456789012",
            "Groups": [],
            "Instances": [instance(3, "stopped")],
        },
    ],
    "ResponseMetadata": {"RequestId": "req", "HTTPStatusCode": 200, "RetryAttempts": 0},
}

SHAPES: dict[str, object] = {
    "list-buckets": {
        "Buckets": [
            {"Name": "alpha", "CreationDate": WHEN},
            {"Name": "beta-with-a-much-longer-name", "CreationDate": WHEN + datetime.timedelta(hours=5)},
        ],
        "Owner": {"DisplayName": "me", "ID": "abc123"},
        "ResponseMetadata": {"RequestId": "r", "HTTPStatusCode": 200},
    },
    "ec2-describe-instances": EC2,
    "empty-body": {"ResponseMetadata": {"RequestId": "r"}},
    "empty-list": {"Items": []},
    "empty-list-and-count": {"Items": [], "Count": 0},
    "scalars": {
        "Count": 3,
        "Ratio": 0.1,
        "Big": 12345678901234567890,
        "Flag": False,
        "Nothing": None,
        "On": True,
    },
    "numbers": {"Float": 1e20, "Small": 1e-7, "NegZero": -0.0, "Int": -5, "Half": 2.5},
    "unicode": {
        "Name": "café ☕ 東京",
        "Emoji": "🙂",
        "Tabbed": "a\tb",
        "Quote": 'he said "hi"',
        "Path": "C:\\tmp",
    },
    "newline-in-value": {"Description": "line one\nline two", "Id": "x"},
    "blob": {"Plaintext": b"\x00\xffhello", "KeyId": "alias/k"},
    "datetimes": {
        "Naive": datetime.datetime(2024, 1, 2, 3, 4, 5),
        "Offset": datetime.datetime(
            2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-7))
        ),
        "Utc": WHEN,
    },
    "deep-nesting": {"A": {"B": {"C": {"D": {"E": [1, 2, {"F": "g"}], "H": "i"}}}}},
    "list-of-lists": {"Matrix": [[1, 2], [3, 4]]},
    "mixed-list": {"Mixed": [1, "two", [3, 4], [5]]},
    "ragged-dicts": {"Things": [{"A": 1}, {"B": 2, "C": [1]}, {"A": 3, "C": []}]},
    "scalar-here-list-there": {"Things": [{"A": 1, "B": "x"}, {"A": [1, 2], "B": "y"}]},
    "iam-list-users": {
        "Users": [
            {
                "Path": "/",
                "UserName": "alice",
                "UserId": "AIDAEXAMPLE1",
                "Arn": "arn:aws:iam::123456789012:user/alice",
                "CreateDate": WHEN,
            },
            {
                "Path": "/ops/",
                "UserName": "bob",
                "UserId": "AIDAEXAMPLE2",
                "Arn": "arn:aws:iam::123456789012:user/ops/bob",
                "CreateDate": WHEN,
                "PasswordLastUsed": WHEN,
            },
        ],
        "IsTruncated": False,
    },
    "map-of-strings": {"Tags": {"env": "prod", "team": "core", "cost-center": "1234"}},
    "map-of-maps": {"Item": {"id": {"S": "1"}, "count": {"N": "42"}, "flags": {"SS": ["a", "b"]}}},
    "sts-get-caller-identity": {
        "UserId": "AROAEXAMPLE:alice",
        "Account": "123456789012",
        "Arn": "arn:aws:sts::123456789012:assumed-role/Admin/alice",
    },
    "single-scalar-key": {"Account": "123456789012"},
    "nested-empties": {"A": {}, "B": [], "C": {"D": []}, "E": "x"},
    "wide-row": {f"Key{i}": f"value-{i}-" + "x" * 8 for i in range(10)},
    "wide-list": {"Items": [{f"Column{i}": f"v{i}-" + "y" * (i * 3) for i in range(8)} for _ in range(3)]},
    "cjk-table": {
        "Places": [{"Name": "東京タワー", "City": "東京"}, {"Name": "Zürich HB", "City": "Zürich"}]
    },
    "scalar-list-under-key": {"Regions": ["us-east-1", "eu-west-1", "ap-southeast-2"]},
    "empty-strings": {"A": "", "B": "x", "C": None},
    "only-nested-values": {"Things": [{"Sub": {"A": 1}}, {"Sub": {"A": 2, "B": [3]}}]},
    "lists-of-dict-lists": {"Groups": [[{"A": 1, "B": 2}], [{"A": 3, "B": 4}]]},
    "dict-in-scalar-list": {"Values": ["a", {"K": "v"}]},
    "mixed-dicts-and-scalars": {"Mixed": [{"A": 1}, "x"]},
    "top-level-list": [1, 2, 3],
    "top-level-list-of-lists": [["a", "b"], ["c", "d"]],
    "top-level-projection": [{"Id": "a", "Name": "x"}, {"Id": "b", "Name": None}],
    "top-level-string": "hello world",
    "top-level-zero": 0,
    "top-level-none": None,
    "top-level-true": True,
    "top-level-float": 3.5,
    "top-level-empty-list": [],
    "long-cell": {"Policy": "{" + ", ".join(f'"k{i}": "v{i}"' for i in range(30)) + "}", "Name": "p"},
}
